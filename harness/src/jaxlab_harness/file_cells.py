"""``%%writefile <path>`` cells: how a notebook carries a project's files.

A cell whose first line is ``%%writefile models.py`` (IPython's idiom) writes
the rest of the cell to that file of the project, so an exported run's
notebook recreates main.py and its modules before it calls ``main()``.
Only the files a project may hold may be written: main.py, requirements.txt,
README.md, and a project file by the rules of the ProjectFile schema (shared
with the server and the gateway): a Python module up to four folders deep
(``utils/data.py``) or a text file it reads (``configs/base.yaml``); never
through a link.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .schemas import load_schema
from .violations import MAX_SOURCE_BYTES

_MAGIC = re.compile(r"^%%writefile(?P<append>\s+-a)?\s+(?P<path>\S+)\s*$")
_OWN_FILES = frozenset({"main.py", "requirements.txt", "README.md"})


@cache
def _project_file_path() -> tuple[re.Pattern[str], int]:
    """The ProjectFilePath schema's pattern and longest path."""
    path = load_schema("project-file.schema.json")["$defs"]["path"]
    return re.compile(path["pattern"]), path["maxLength"]


def is_project_file_path(path: str) -> bool:
    """Whether a project may hold a file at ``path`` (main.py included)."""
    pattern, max_length = _project_file_path()
    return path in _OWN_FILES or (len(path) <= max_length and pattern.match(path) is not None)


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
    if not is_project_file_path(path):
        raise FileCellRefused(
            f"%%writefile may write the project's files (main.py, models.py, utils/data.py,"
            f" configs/base.yaml, requirements.txt), not {path[:100]!r}"
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
