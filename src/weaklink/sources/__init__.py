"""Source formats: pure descriptions of how a file's lines become typed event records."""
