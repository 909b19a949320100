"""Fetching new data: GDELT exports from GDELT's file lists (or a mirror), statements from feeds."""
