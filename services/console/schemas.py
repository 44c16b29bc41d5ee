"""The JSON API's response and request bodies (the OpenAPI document is built from these)."""

from __future__ import annotations

from pydantic import BaseModel


class PersonFacts(BaseModel):
    """What a handler needs before picking up the phone."""

    person_id: str
    name: str | None
    age: int | None
    phone: str | None
    postcode: str | None
    lives_alone: bool
    keyholders: int
    open_flags: list[str]
    need_level: str | None
