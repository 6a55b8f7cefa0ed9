from tools.bughunt.cli import main

raise SystemExit(main())
