"""Indicators: pure functions from Ibis tables to Ibis expressions. No I/O inside."""
