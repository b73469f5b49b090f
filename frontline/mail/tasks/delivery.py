"""Tasks: delivery (being written)."""
