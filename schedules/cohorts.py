"""Who a campaign is for: one pure predicate per cohort rule, looked up by name."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from contracts.errors import TecflowError
from schedules.model import PersonFacts

Params = Mapping[str, object]
Rule = Callable[[PersonFacts, Params, datetime], bool]


class UnknownCohortRule(TecflowError):
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


class InvalidCohortParams(TecflowError, ValueError):
    """Parameters a cohort rule cannot use: refused when the campaign is added, not at
    every planning round."""


def check_params(name: str, params: Params) -> None:
    """The rule's parameters, checked as the rule reads them."""
    known = {"recently_discharged": {"days"}, "postcode_area": {"areas"}}.get(name, set())
    if unknown := set(params) - known:
        raise InvalidCohortParams(f"cohort {name} takes no parameter {sorted(unknown)[0]!r}")
    if "days" in params:
        days = str(params["days"])
        if not days.isdigit() or not 1 <= int(days) <= 3650:
            raise InvalidCohortParams("days must be a whole number from 1 to 3650")
    if "areas" in params:
        areas = params["areas"]
        wanted = areas.split(",") if isinstance(areas, str) else areas
        if not isinstance(wanted, list | tuple) or not all(
            isinstance(a, str) and a.strip() and a.isprintable() and len(a) <= 16 for a in wanted
        ):
            raise InvalidCohortParams("areas must be postcode areas, districts or sectors")


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
