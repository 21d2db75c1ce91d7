"""The loader and Make it runnable as commands the server runs, like its JAX
lint: a JSON document on stdin, a JSON document on stdout, nothing of the
user's code imported or run.

- ``python -I -m jaxlab_harness check`` reads ``{"files": {path: text},
  "requirements": text?, "designated": [names]?}`` and writes ``{"ok": bool,
  "violations": [{file, line, column, endLine?, endColumn?, rule, message,
  hint}]}`` for main.py and the files it imports;
- ``python -I -m jaxlab_harness make-runnable`` reads ``{"source": text}``
  (or ``{"files": {"main.py": text}}``) and writes ``{"changed", "source",
  "reason", "movedLines", "globals", "renamedMain", "violations"}``;
- ``python -I -m jaxlab_harness signatures`` reads ``{"code": text,
  "designated": [names]}`` and writes the FunctionSignatures document
  (:mod:`.signatures`).
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from . import DEFAULT_DESIGNATED_FUNCTIONS
from .allow_list import DEFAULT_ALLOWED_IMPORTS, requirement_imports
from .project import MAIN_FILE, load_project
from .runnable import make_runnable
from .signatures import signatures

MAX_INPUT_BYTES = 8 * 1024 * 1024
"""Largest JSON document a command reads."""


class InputError(ValueError):
    """The document on stdin is not what the command reads."""


def run_command(command: str, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Runs ``check``, ``make-runnable`` or ``signatures``; returns the exit status (2 for
    bad input, with ``{"error": ...}`` on stdout)."""
    try:
        document = _read(stdin)
        if command == "check":
            answer = check(document)
        elif command == "make-runnable":
            answer = runnable(document)
        elif command == "signatures":
            code = _text(document, "code")
            designated = document.get("designated") or list(DEFAULT_DESIGNATED_FUNCTIONS)
            if not (isinstance(designated, list) and all(isinstance(n, str) for n in designated)):
                raise InputError("designated must be a list of names")
            answer = signatures(code, designated)
        else:
            raise InputError(f"unknown command {command!r}")
    except InputError as error:
        json.dump({"error": str(error)}, stdout)
        stdout.write("\n")
        return 2
    json.dump(answer, stdout, ensure_ascii=False)
    stdout.write("\n")
    return 0


def check(document: dict[str, Any]) -> dict[str, Any]:
    """The loader's verdict on a project's files."""
    files = _files(document)
    allowed = [*DEFAULT_ALLOWED_IMPORTS, *requirement_imports(_text(document, "requirements"))]
    designated = document.get("designated") or list(DEFAULT_DESIGNATED_FUNCTIONS)
    if not (isinstance(designated, list) and all(isinstance(n, str) for n in designated)):
        raise InputError("designated must be a list of names")
    result = load_project(files, allowed_imports=allowed, designated=designated)
    return {"ok": result.ok, "violations": [v.to_json() for v in result.violations]}


def runnable(document: dict[str, Any]) -> dict[str, Any]:
    """Make it runnable applied to main.py."""
    source = document.get("source")
    if source is None:
        source = _files(document).get(MAIN_FILE, "")
    if not isinstance(source, str):
        raise InputError("source must be a string")
    result = make_runnable(source)
    return {
        "changed": result.changed,
        "source": result.source,
        "reason": result.reason,
        "movedLines": [list(lines) for lines in result.moved_lines],
        "globals": list(result.global_names),
        "renamedMain": result.renamed_main,
        "violations": [v.to_json() for v in result.violations],
    }


def _read(stdin: TextIO) -> dict[str, Any]:
    text = stdin.read(MAX_INPUT_BYTES + 1)
    if len(text) > MAX_INPUT_BYTES:
        raise InputError(f"input larger than {MAX_INPUT_BYTES} bytes")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"input is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise InputError("input must be a JSON object")
    return document


def _files(document: dict[str, Any]) -> dict[str, str]:
    files = document.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise InputError('files must be an object of path -> text, e.g. {"main.py": "..."}')
    return files


def _text(document: dict[str, Any], key: str) -> str:
    value = document.get(key) or ""
    if not isinstance(value, str):
        raise InputError(f"{key} must be a string")
    return value
