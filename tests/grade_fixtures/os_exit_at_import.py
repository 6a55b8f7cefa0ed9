"""Hostile: ends its process while being imported, with a success code.
Graded: 0; the report says the engine process exited with code 0."""

import os

os._exit(0)
