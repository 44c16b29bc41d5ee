"""One module per resource; each has `router` (pages) and/or `api` (JSON under /api)."""
