"""Tasks: polling (being written)."""
