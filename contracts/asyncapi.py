"""JSON Schema for every model and an AsyncAPI 3.0 document for the topic catalogue."""

from __future__ import annotations

from typing import Any

from contracts.topics import CATALOGUE, TopicSpec

COMPONENT_REF = "#/components/schemas/{model}"


def _message_name(spec: TopicSpec) -> str:
    return "".join(part.capitalize() for part in str(spec.name).replace(".", "_").split("_"))


def _channel_id(spec: TopicSpec) -> str:
    return str(spec.name).replace(".", "_")


def json_schemas(ref_template: str = "#/$defs/{model}") -> dict[str, dict[str, Any]]:
    """One standalone JSON Schema per topic's message (refs local to each schema)."""
    return {
        str(spec.name): spec.adapter.json_schema(ref_template=ref_template)
        for spec in CATALOGUE.values()
    }


def _asyncapi_discriminators(node: Any) -> Any:
    """AsyncAPI's Schema Object takes `discriminator` as the property name alone,
    where pydantic writes the OpenAPI form {propertyName, mapping}."""
    if isinstance(node, dict):
        return {
            key: value["propertyName"]
            if key == "discriminator" and isinstance(value, dict)
            else _asyncapi_discriminators(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_asyncapi_discriminators(item) for item in node]
    return node


def asyncapi_document(version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in CATALOGUE.values():
        schema = _asyncapi_discriminators(spec.adapter.json_schema(ref_template=COMPONENT_REF))
        schemas.update(schema.pop("$defs", {}))
        name = _message_name(spec)
        schemas[name + "Payload"] = schema
        messages[name] = {
            "name": name,
            "title": name,
            "summary": spec.description,
            "contentType": "application/json",
            "payload": {"$ref": COMPONENT_REF.format(model=name + "Payload")},
            "bindings": {
                "kafka": {
                    "key": {"type": "string", "description": spec.key or "no key"},
                    "bindingVersion": "0.5.0",
                }
            },
        }
        channel = _channel_id(spec)
        channels[channel] = {
            "address": str(spec.name),
            "description": spec.description,
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "kafka": {
                    "topic": str(spec.name),
                    "partitions": spec.partitions,
                    "topicConfiguration": {"retention.ms": spec.retention_ms},
                    "bindingVersion": "0.5.0",
                }
            },
        }
        operations[f"publish_{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "tecflow event bus",
            "version": version,
            "description": "Events of a proactive Social Care Response Service, keyed by "
            "person (an opaque id: no personal data travels on the bus).",
            "license": {"name": "Apache-2.0"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "production": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "Apache Kafka (KRaft)",
            },
            "development": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "Embedded Tansu broker",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


__all__ = ["asyncapi_document", "json_schemas"]
