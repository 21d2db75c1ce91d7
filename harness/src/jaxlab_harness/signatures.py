"""The signatures of a project's designated functions, read from main.py's
source with ``ast`` (nothing is imported or run), for the lab's argument
form: each parameter's name, kind, default as written and, where it is a
literal a run could pass, as JSON, and its annotation as written.

``python -I -m jaxlab_harness signatures`` reads ``{"code": ..., "designated":
[...]}`` on stdin and writes the FunctionSignatures document on stdout.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from typing import Any

_MAX_TEXT = 1000
_MAX_ANNOTATION = 500
_MAX_DOC = 2000

_KINDS = {
    "posonlyargs": "positional-only",
    "args": "positional-or-keyword",
    "vararg": "var-positional",
    "kwonlyargs": "keyword-only",
    "kwarg": "var-keyword",
}


def signatures(source: str, designated: Sequence[str]) -> dict[str, Any]:
    """The FunctionSignatures document of ``designated`` in ``source``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        message = getattr(error, "msg", None) or str(error)
        return {"functions": [], "syntaxError": {"line": max(1, line), "message": message[:1000]}}
    except (RecursionError, MemoryError):
        return {"functions": [], "syntaxError": {"line": 1, "message": "main.py nests too deeply"}}
    defined: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined[node.name] = node  # the last definition wins, as at run time
    functions = []
    for name in designated:
        node = defined.get(name)
        if node is None:
            functions.append({"name": name, "defined": False, "params": []})
            continue
        entry: dict[str, Any] = {
            "name": name,
            "defined": True,
            "line": node.lineno,
            "params": _parameters(node.args, source),
        }
        doc = ast.get_docstring(node)
        if doc:
            entry["doc"] = doc.split("\n\n", 1)[0].strip()[:_MAX_DOC]
        functions.append(entry)
    return {"functions": functions}


def _parameters(arguments: ast.arguments, source: str) -> list[dict[str, Any]]:
    positional = [*arguments.posonlyargs, *arguments.args]
    # defaults belong to the last positional parameters.
    defaults: dict[int, ast.expr] = {
        len(positional) - len(arguments.defaults) + i: d for i, d in enumerate(arguments.defaults)
    }
    out = []
    for index, arg in enumerate(positional):
        kind = "posonlyargs" if index < len(arguments.posonlyargs) else "args"
        out.append(_parameter(arg, _KINDS[kind], defaults.get(index), source))
    if arguments.vararg:
        out.append(_parameter(arguments.vararg, _KINDS["vararg"], None, source, optional=True))
    for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        out.append(_parameter(arg, _KINDS["kwonlyargs"], default, source))
    if arguments.kwarg:
        out.append(_parameter(arguments.kwarg, _KINDS["kwarg"], None, source, optional=True))
    return out


def _parameter(
    arg: ast.arg,
    kind: str,
    default: ast.expr | None,
    source: str,
    *,
    optional: bool = False,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": arg.arg,
        "kind": kind,
        "required": default is None and not optional,
    }
    if default is not None:
        value: dict[str, Any] = {"text": _text(default, source)[:_MAX_TEXT]}
        found, literal = _json_literal(default)
        if found:
            value["literal"] = literal
        entry["default"] = value
    if arg.annotation is not None:
        entry["annotation"] = _text(arg.annotation, source)[:_MAX_ANNOTATION]
    return entry


def _text(node: ast.AST, source: str) -> str:
    return ast.get_source_segment(source, node) or ast.unparse(node)


def _json_literal(node: ast.expr) -> tuple[bool, Any]:
    """(True, value) when ``node`` is a literal a run could pass as JSON."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None
    return (True, value) if _is_json(value) else (False, None)


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, (bool, str)):
        return True
    if isinstance(value, int):
        return abs(value) < 2**53
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False  # tuples, sets, bytes, complex: a run cannot pass them
