"""The care record's rules as plain dataclasses and functions: standard library and
`contracts` only, no database, no bus. One module per part of the record."""
