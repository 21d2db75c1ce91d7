"""``%%writefile <path>`` cells: how a notebook carries a project's files.

A cell whose first line is ``%%writefile models.py`` (IPython's idiom) writes
the rest of the cell to that file of the project, so an exported run's
notebook recreates main.py and its modules before it calls ``main()``.
Only the project's own kinds of file may be written: a Python file up to four
folders deep (``utils/data.py``) or requirements.txt; never through a link.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .violations import MAX_SOURCE_BYTES

_MAGIC = re.compile(r"^%%writefile(?P<append>\s+-a)?\s+(?P<path>\S+)\s*$")
_PROJECT_FILE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*/){0,4}[A-Za-z_][A-Za-z0-9_]*\.py$")


class FileCellRefused(Exception):  # noqa: N818 - reported as CallNotAllowed
    """A ``%%writefile`` cell names a file a project may not have."""


@dataclass(frozen=True)
class FileCell:
    """``%%writefile [-a] path`` and the text to write."""

    path: str
    text: str
    append: bool = False


def parse_file_cell(cell: str) -> FileCell | None:
    """The file cell ``cell`` is, or None when it is none.

    Raises:
        FileCellRefused: the path is not a project file, or the text too large.
    """
    first, _, rest = cell.lstrip("\n").partition("\n")
    match = _MAGIC.match(first.strip())
    if match is None:
        return None
    path = match.group("path")
    if not (_PROJECT_FILE.match(path) or path == "requirements.txt"):
        raise FileCellRefused(
            f"%%writefile may write the project's Python files (main.py, models.py,"
            f" utils/data.py) and requirements.txt, not {path[:100]!r}"
        )
    if len(rest.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        raise FileCellRefused(f"{path} would be larger than {MAX_SOURCE_BYTES} bytes")
    return FileCell(path, rest, match.group("append") is not None)


def write_file_cell(workdir: str | os.PathLike[str], cell: FileCell) -> str:
    """Writes ``cell`` under ``workdir`` (no links followed); returns what
    IPython would print ("Writing models.py")."""
    target = Path(workdir, cell.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    existed = target.exists()
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
    flags |= os.O_APPEND if cell.append else os.O_TRUNC
    fd = os.open(target, flags, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(cell.text)
    if cell.append:
        return f"Appending to {cell.path}"
    return f"{'Overwriting' if existed else 'Writing'} {cell.path}"
