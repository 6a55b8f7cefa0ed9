"""Hostile: never finishes importing. Graded: 0, "the engine did not answer"."""

while True:
    pass
