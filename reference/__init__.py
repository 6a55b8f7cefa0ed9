"""Reference solutions of the kata: the engine (levels 1-3) and the network (level 4)."""
