"""The public request form (/request): views, what it reads, its limits and files."""
