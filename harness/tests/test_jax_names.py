"""What imported names refer to: the resolver the loader and the JAX lint share."""

from __future__ import annotations

import ast

import pytest

from jaxlab_harness.jax_names import dotted_parts, imported_names, qualified_name


def aliases_of(source: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for stmt in ast.parse(source).body:
        assert isinstance(stmt, (ast.Import, ast.ImportFrom))
        out.update(imported_names(stmt))
    return out


@pytest.mark.parametrize(
    ("imports", "expression", "meaning"),
    [
        ("import jax", "jax.jit", "jax.jit"),
        ("import jax as j", "j.numpy.sum", "jax.numpy.sum"),
        ("import jax.numpy", "jax.numpy.where", "jax.numpy.where"),
        ("import jax.numpy as jnp", "jnp.where", "jax.numpy.where"),
        ("from jax import numpy as jnp, jit", "jit", "jax.jit"),
        ("from jax import jit as compile_", "compile_", "jax.jit"),
        ("from jax import random", "random.split", "jax.random.split"),
        ("from functools import partial", "partial", "functools.partial"),
        ("import time\nfrom time import perf_counter", "perf_counter", "time.perf_counter"),
        ("from . import models", "models.MLP", ".models.MLP"),
    ],
)
def test_qualified_name_follows_imports(imports, expression, meaning):
    node = ast.parse(expression, mode="eval").body
    assert qualified_name(node, aliases_of(imports)) == meaning


def test_a_later_import_rebinds_a_name():
    assert aliases_of("import numpy as np\nimport jax.numpy as np") == {"np": "jax.numpy"}


@pytest.mark.parametrize("expression", ["unknown.attr", "f(x).sum", "x[0].y", "'s'.join"])
def test_names_no_import_binds_resolve_to_none(expression):
    node = ast.parse(expression, mode="eval").body
    assert qualified_name(node, aliases_of("import jax")) is None


def test_star_import_binds_nothing():
    assert aliases_of("from jax.numpy import *") == {}


def test_dotted_parts():
    assert dotted_parts(ast.parse("a.b.c", mode="eval").body) == ["a", "b", "c"]
    assert dotted_parts(ast.parse("a().b", mode="eval").body) is None
