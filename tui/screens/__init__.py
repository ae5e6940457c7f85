"""The main screens, one per file; each is reachable by one key from anywhere."""
