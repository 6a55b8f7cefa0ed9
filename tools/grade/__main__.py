import sys

from tools.grade.cli import main

sys.exit(main())
