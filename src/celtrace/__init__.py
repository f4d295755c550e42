"""celtrace: see who really works on a production, and prove it."""
