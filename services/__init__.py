"""The edges and the store: gateways, telephony, console, store, broker management, CLI."""
