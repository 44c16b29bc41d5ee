"""Who a campaign is for: one pure predicate per cohort rule, looked up by name."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from schedules.model import PersonFacts

Params = Mapping[str, object]
Rule = Callable[[PersonFacts, Params, datetime], bool]


class UnknownCohortRule(Exception):
    """A campaign names a cohort rule this scheduler does not know."""


def unmet_need(person: PersonFacts, _params: Params, _now: datetime) -> bool:
    return person.on_unmet_need_list


def living_alone_without_care(person: PersonFacts, _params: Params, _now: datetime) -> bool:
    return person.lives_alone and not person.has_care_package


def active_falls_flag(person: PersonFacts, _params: Params, _now: datetime) -> bool:
    return person.active_falls_flag_at is not None


def recently_discharged(person: PersonFacts, params: Params, now: datetime) -> bool:
    days = int(str(params.get("days", 7)))
    discharged = person.last_discharged_at
    return discharged is not None and now - timedelta(days=days) <= discharged <= now


def postcode_area(person: PersonFacts, params: Params, _now: datetime) -> bool:
    """Matches an area ("DD"), a district ("DD4") or a sector ("DD4 7"); `areas` is a
    list or a comma-separated string."""
    if not person.postcode:
        return False
    postcode = " ".join(person.postcode.upper().split())
    outward = postcode.split(" ")[0]
    area = re.match(r"[A-Z]*", outward).group()  # type: ignore[union-attr]
    areas = params.get("areas", ())
    wanted = areas.split(",") if isinstance(areas, str) else areas
    for code in (" ".join(str(w).upper().split()) for w in wanted):  # type: ignore[attr-defined]
        if code and (code in (area, outward) or (" " in code and postcode.startswith(code))):
            return True
    return False


def everyone(_person: PersonFacts, _params: Params, _now: datetime) -> bool:
    return True


RULES: dict[str, Rule] = {
    "unmet_need": unmet_need,
    "living_alone_without_care": living_alone_without_care,
    "active_falls_flag": active_falls_flag,
    "recently_discharged": recently_discharged,
    "postcode_area": postcode_area,
    "everyone": everyone,
}


def cohort_rule(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise UnknownCohortRule(f"unknown cohort rule {name!r}; known: {sorted(RULES)}") from None
