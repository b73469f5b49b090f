"""The agent desk: one module per area (auth, queues, tickets, organizations, search)."""
