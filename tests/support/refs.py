"""Unique ids so tests sharing a database or broker never collide."""

from __future__ import annotations

import uuid


def person_id(prefix: str = "T") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"
