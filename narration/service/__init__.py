"""`narrate serve`: the HTTP service (docs/API.md)."""
