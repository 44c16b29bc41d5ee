from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from contracts.asyncapi import asyncapi_document
from contracts.topics import CATALOGUE
from services.cli import main

# The official AsyncAPI 3.0.0 JSON Schema, from the npm package @asyncapi/specs 6.11.1
# (Apache-2.0), vendored so the test runs offline.
ASYNCAPI_SCHEMA = Path(__file__).parents[1] / "data" / "asyncapi-3.0.0.schema.json"


def test_asyncapi_document_validates_against_the_official_schema() -> None:
    document = asyncapi_document("0.0.0")
    jsonschema.validate(document, json.loads(ASYNCAPI_SCHEMA.read_text()))


def test_asyncapi_has_a_channel_and_message_per_topic_with_resolvable_refs() -> None:
    document = asyncapi_document("0.0.0")
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {str(name) for name in CATALOGUE}
    serialised = json.dumps(document)
    for ref in {part.split('"')[0] for part in serialised.split('"$ref": "')[1:]}:
        node = document
        for step in ref.removeprefix("#/").split("/"):
            node = node[step]
        assert node, ref


def test_schema_export_writes_a_schema_per_topic(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schema", "export", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert "asyncapi.json" in written
    assert len(written) == len(CATALOGUE) + 1
    alarm_schema = json.loads((tmp_path / "device.alarms.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(alarm_schema)
