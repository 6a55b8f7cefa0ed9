"""What the stage tests share."""

import pytest


def needs(engine, name: str, what: str):
    """The function ``name`` of the file under test, or a failure saying what to write."""
    f = getattr(engine, name, None)
    if not callable(f):
        pytest.fail(f"your file defines no {name}(): write {what} in it, outside the class", pytrace=False)
    return f
