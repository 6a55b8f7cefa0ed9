"""Interview practice: timed attempts (core), their history, the oral drill (questions), and the terminal (cli)."""
