"""The shipped schemas are the repository's, and validation follows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jaxlab_harness import kernel
from jaxlab_harness.schemas import (
    FAILURE_MESSAGES,
    KERNEL_SPEC_METADATA_SCHEMA,
    METRICS_SCHEMA,
    STEP_METRICS_SCHEMA,
    SchemaError,
    kernel_error_names,
    load_schema,
    validate,
    validate_without_library,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "schemas" / "fixtures"


@pytest.mark.parametrize(
    "name", [METRICS_SCHEMA, STEP_METRICS_SCHEMA, KERNEL_SPEC_METADATA_SCHEMA, FAILURE_MESSAGES]
)
def test_load_schema_should_ship_the_repository_schema(name: str) -> None:
    assert load_schema(name) == json.loads((REPO / "schemas" / "json" / name).read_text())


def test_kernel_should_name_its_errors_as_the_shared_failure_table_does() -> None:
    table = json.loads((REPO / "schemas" / "json" / FAILURE_MESSAGES).read_text())
    assert kernel_error_names() == table["kernelErrors"]
    ids = ("loadRejected", "loadError", "functionNotDefined", "callNotAllowed")
    used = (
        kernel.LOAD_REJECTED,
        kernel.LOAD_ERROR,
        kernel.FUNCTION_NOT_DEFINED,
        kernel.CALL_NOT_ALLOWED,
    )
    assert used == tuple(table["kernelErrors"][i] for i in ids)


def _fixtures(kind: str) -> list[tuple[str, Path]]:
    found = []
    for schema, folder in (
        ("metrics", METRICS_SCHEMA),
        ("step-metrics", STEP_METRICS_SCHEMA),
        ("kernel-spec-metadata", KERNEL_SPEC_METADATA_SCHEMA),
    ):
        for path in sorted((FIXTURES / kind / schema).glob("*.json")):
            found.append((folder, path))
    return found


@pytest.mark.parametrize("check", [validate, validate_without_library], ids=["library", "fallback"])
@pytest.mark.parametrize(("name", "path"), _fixtures("valid"), ids=lambda p: getattr(p, "name", p))
def test_validate_should_accept_valid_fixtures(check, name: str, path: Path) -> None:
    check(json.loads(path.read_text()), name)


@pytest.mark.parametrize("check", [validate, validate_without_library], ids=["library", "fallback"])
@pytest.mark.parametrize(
    ("name", "path"), _fixtures("invalid"), ids=lambda p: getattr(p, "name", p)
)
def test_validate_should_reject_invalid_fixtures(check, name: str, path: Path) -> None:
    with pytest.raises(SchemaError):
        check(json.loads(path.read_text()), name)
