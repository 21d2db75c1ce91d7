"""The shared JSON Schemas and failure table (shipped inside the package from
../schemas/json) and validation against them.

A JSON Schema library is preferred (jsonschema-rs when installed, it imports
in milliseconds; else jsonschema); without one a hand-written check of the same
rules is used, so the kernel never publishes what the gateway would reject.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

METRICS_SCHEMA = "metrics.schema.json"
STEP_METRICS_SCHEMA = "step-metrics.schema.json"
KERNEL_SPEC_METADATA_SCHEMA = "kernel-spec-metadata.schema.json"
FAILURE_MESSAGES = "failure-messages.json"


class SchemaError(ValueError):
    """A document does not match its schema."""


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed file ``name`` of schemas/json (e.g. ``metrics.schema.json``)."""
    shipped = resources.files("jaxlab_harness").joinpath("schemas", name)
    if shipped.is_file():
        return json.loads(shipped.read_text(encoding="utf-8"))
    # Running from a source checkout: harness/src/jaxlab_harness -> schemas/json.
    checkout = Path(__file__).resolve().parents[3] / "schemas" / "json" / name
    return json.loads(checkout.read_text(encoding="utf-8"))


def kernel_error_names() -> dict[str, str]:
    """The names (enames) of the kernel's own errors, by id: the shared failure
    table's ``kernelErrors``, which the gateway maps to job failures."""
    return dict(load_schema(FAILURE_MESSAGES)["kernelErrors"])


def validate(document: Any, name: str) -> None:
    """Checks ``document`` against schema ``name``.

    Raises:
        SchemaError: with the first problem found.
    """
    _validator(name)(document)


def warm_up() -> None:
    """Builds the validators now (importing jsonschema can take seconds)."""
    for name in (METRICS_SCHEMA, KERNEL_SPEC_METADATA_SCHEMA):
        _validator(name)


@cache
def _validator(name: str) -> Callable[[Any], None]:
    schema = load_schema(name)
    try:  # Rust implementation: imports in milliseconds
        import jsonschema_rs
    except ImportError:
        pass
    else:
        fast = jsonschema_rs.validator_for(schema)

        def check_fast(document: Any) -> None:
            for error in fast.iter_errors(document):
                path = "$" + "".join(f"[{p!r}]" for p in error.instance_path)
                raise SchemaError(f"{path}: {error.message}")

        return check_fast
    try:
        import jsonschema
    except ImportError:
        return lambda document: _fallback(document, schema, schema, "$")
    validator = jsonschema.validators.validator_for(schema)(schema)

    def check(document: Any) -> None:
        error = jsonschema.exceptions.best_match(validator.iter_errors(document))
        if error is not None:
            path = "$" + "".join(f"[{p!r}]" for p in error.absolute_path)
            raise SchemaError(f"{path}: {error.message}")

    return check


def validate_without_library(document: Any, name: str) -> None:
    """The hand-written check used when no JSON Schema library is installed."""
    schema = load_schema(name)
    _fallback(document, schema, schema, "$")


def _fallback(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str) -> None:
    """The subset of JSON Schema our two shipped schemas use."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        _fallback(value, target, root, path)
        return
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: (
            (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, float) and v.is_integer())
        ),
        "number": lambda v: (
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        ),
    }
    if kind is not None and not checks[kind](value):
        raise SchemaError(f"{path}: expected {kind}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaError(f"{path}: below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaError(f"{path}: above {schema['maximum']}")
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise SchemaError(f"{path}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise SchemaError(f"{path}: does not match {schema['pattern']}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            raise SchemaError(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise SchemaError(f"{path}: more than {schema['maxItems']} items")
        for index, item in enumerate(value):
            _fallback(item, schema.get("items", {}), root, f"{path}[{index}]")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                raise SchemaError(f"{path}: missing {key}")
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            raise SchemaError(f"{path}: more than {schema['maxProperties']} properties")
        properties = schema.get("properties", {})
        names = schema.get("propertyNames", {})
        for key, item in value.items():
            if names:
                _fallback(key, names, root, f"{path} key {key!r}")
            if key in properties:
                _fallback(item, properties[key], root, f"{path}[{key!r}]")
            elif schema.get("additionalProperties") is False:
                raise SchemaError(f"{path}: unexpected property {key!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                _fallback(item, schema["additionalProperties"], root, f"{path}[{key!r}]")
