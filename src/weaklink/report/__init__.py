"""The briefing: one function gathers the data (brief.py); renderers make HTML, Markdown and PDF of it."""
