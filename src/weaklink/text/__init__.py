"""Document analysis: actor mentions, framing terms, comparisons and warmth. Lexicons are passed in."""
