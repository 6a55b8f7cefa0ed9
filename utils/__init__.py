"""Tools around the kata: the level manifest, the engine loader, gradient checkers and the pytest plugin."""
