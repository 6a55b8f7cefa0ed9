"""Does not import: needs a module the kata does not have. Graded: 0."""

import numpyy  # noqa: F401

from tests.zoo._base import Value  # noqa: F401
