"""Pure stream processors: each turns (state, event, context) into (new state, outputs).

No I/O here: the Faust adapter in `streams.processing` keeps the states in tables,
sends the outputs and runs the timed checks."""
