"""Terminal tables (rich) for people, one module per command group, from the same documents the JSON
prints; only the CLI uses them."""
