"""The RMU unmet-need list: entries, their ranking, CSV import/export and weekly figures."""
