"""The kernel's replies to complete, inspect and is_complete requests: only
the designated functions are offered and described."""

from __future__ import annotations

import ast
import codeop
import re
from collections.abc import Sequence
from typing import Any

_TRAILING_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_LEADING_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]*")


def complete_reply(code: str, cursor_pos: int | None, designated: Sequence[str]) -> dict[str, Any]:
    """The designated functions whose names start with the word at the cursor."""
    cursor_pos = len(code) if cursor_pos is None else cursor_pos
    match = _TRAILING_IDENTIFIER.search(code[:cursor_pos])
    prefix = match.group(0) if match else ""
    matches = [n for n in designated if n.startswith(prefix)]
    return {
        "status": "ok",
        "matches": matches,
        "cursor_start": cursor_pos - len(prefix),
        "cursor_end": cursor_pos,
        "metadata": {},
    }


def name_at(code: str, cursor_pos: int | None) -> str:
    """The whole identifier around the cursor ("" when there is none)."""
    cursor_pos = len(code) if cursor_pos is None else cursor_pos
    before = _TRAILING_IDENTIFIER.search(code[:cursor_pos])
    after = _LEADING_IDENTIFIER.match(code[cursor_pos:])
    return (before.group(0) if before else "") + (after.group(0) if after else "")


def signature_text(name: str, node: ast.FunctionDef | ast.AsyncFunctionDef | None) -> str:
    """``name(args)`` and its docstring, as an inspect reply shows them."""
    text = f"{name}({ast.unparse(node.args)})" if node else f"{name}(...)"
    doc = ast.get_docstring(node) if node else None
    return f"{text}\n\n{doc}" if doc else text


def is_complete_reply(code: str) -> dict[str, Any]:
    """Whether ``code`` is a complete cell, as Python's own prompt decides."""
    try:
        compiled = codeop.compile_command(code, "<cell>", "exec")
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return {"status": "invalid"}
    if compiled is None:
        return {"status": "incomplete", "indent": ""}
    return {"status": "complete"}
