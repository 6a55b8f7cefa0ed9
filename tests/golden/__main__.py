"""``python -m tests.golden [--update] [CASE ...]``: show (and with --update, write) the golden screens' diff."""

import sys

from tests.golden import main

sys.exit(main(sys.argv[1:]))
