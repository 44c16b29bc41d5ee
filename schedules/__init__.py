"""The scheduler: campaigns, cohorts, call windows, and `calls.requested`."""
