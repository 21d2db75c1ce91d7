"""``python -m jaxlab_lint``: Python source on stdin, ``{"findings": [...]}`` on stdout.

With ``--files``, stdin is ``{"files": {path: source}}`` (a project's Python
files) and each finding names its ``file``.
"""

from __future__ import annotations

import json
import sys

from .linter import lint


def main(argv: list[str] | None = None) -> int:
    """Lints stdin; writes the findings as JSON."""
    sys.setrecursionlimit(3000)
    args = sys.argv[1:] if argv is None else argv
    if args == ["--files"]:
        files = json.load(sys.stdin)["files"]
        findings = [
            {"file": path, **finding.to_json()}
            for path, source in files.items()
            for finding in lint(source)
        ]
    else:
        findings = [f.to_json() for f in lint(sys.stdin.read())]
    json.dump({"findings": findings}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
