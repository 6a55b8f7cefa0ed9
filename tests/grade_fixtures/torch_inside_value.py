"""Computes with torch inside Value: marked "imports torch"."""

import torch  # noqa: F401

from tests.zoo._base import Value  # noqa: F401
