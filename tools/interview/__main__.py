from tools.interview.cli import main

raise SystemExit(main())
