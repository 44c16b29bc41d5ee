"""UK bank holidays from the maintained `holidays` package. They differ by nation:
Scotland has 2 January and St Andrew's Day and no Easter Monday, so the subdivision
(ENG, WLS, SCT, NIR) comes from settings."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _calendar(subdivision: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


class BankHolidays:
    """A container of dates: `day in BankHolidays("SCT")`."""

    def __init__(self, subdivision: str = "ENG") -> None:
        if subdivision not in holidays.country_holidays("GB").subdivisions:
            raise ValueError(f"unknown UK subdivision {subdivision!r}")
        self.subdivision = subdivision

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in _calendar(self.subdivision, day.year)
