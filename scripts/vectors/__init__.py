"""One builder per vector file (scripts/make_vectors.py runs them)."""
