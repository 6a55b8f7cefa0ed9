pytest_plugins = ["utils.pytest_kata", "utils.feedback"]
