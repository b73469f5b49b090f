"""Tasks: inbound (being written)."""
