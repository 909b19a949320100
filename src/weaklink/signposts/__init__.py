"""Signposts bound to data, and Analysis of Competing Hypotheses over them."""
