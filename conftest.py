pytest_plugins = ["utils.pytest_kata"]
