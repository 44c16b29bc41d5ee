"""The scheduler: campaigns of proactive calls, planned in each person's local time,
claimed once in the store and emitted on `calls.requested`.

Pure domain modules (`model`, `frequency`, `windows`, `eligibility`, `cohorts`,
`planning`, `bank_holidays`) take `now` and plain data; `repository`, `lease`,
`planner`, `jobs` and `scheduler` are the thin adapters around them."""
