"""The care record's adapters: the only code that writes the care tables."""
