"""The real device captures, kept in tests/data/samples (their sources in SOURCES.md there)
so the tests need nothing outside the repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"

# Two captures are templates whose producers fill these in before sending.
TEMPLATE_FILLS = {"__CID__": "26317", "__GSMNUMBER__": "+447700900003", "REF_PLACEHOLDER": "R4711"}


def scaip_captures() -> dict[str, bytes]:
    captures = {}
    for path in sorted((SAMPLES / "scaip").glob("*.xml")):
        text = path.read_text()
        for placeholder, value in TEMPLATE_FILLS.items():
            text = text.replace(placeholder, value)
        captures[path.stem] = text.encode()
    return captures


def json_samples(name: str) -> list[dict[str, Any]]:
    samples: list[dict[str, Any]] = json.loads((SAMPLES / name / "payloads.json").read_text())[
        "samples"
    ]
    return samples


def raw_payload(sample: dict[str, Any]) -> bytes:
    """The bytes as published: payload_raw, else payload_text, else the parsed payload."""
    if sample.get("payload_raw") is not None:
        return str(sample["payload_raw"]).encode()
    if "payload_text" in sample:
        return str(sample["payload_text"]).encode()
    return json.dumps(sample["payload"]).encode()
