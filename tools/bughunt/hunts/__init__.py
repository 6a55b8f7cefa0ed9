"""The catalogue of bug hunts, one module each, in order of difficulty (see tools/bughunt/catalogue.py)."""
