"""The email channel. parse.py reads raw mail (`parse_message`); the rest builds on it."""
