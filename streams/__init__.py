"""Stream processors: the Faust app, its agents and tables."""
