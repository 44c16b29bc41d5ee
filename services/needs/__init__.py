"""The RMU unmet-need list: entries, triage, CSV import/export and weekly figures."""
