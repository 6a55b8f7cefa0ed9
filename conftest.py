pytest_plugins = ["runner.plugin", "runner.feedback", "runner.failfast"]
