"""``python -m jaxlab_lint``: Python source on stdin, ``{"findings": [...]}`` on stdout."""

from __future__ import annotations

import json
import sys

from .linter import lint


def main() -> int:
    """Lints stdin; writes the findings as JSON."""
    sys.setrecursionlimit(3000)
    findings = lint(sys.stdin.read())
    json.dump({"findings": [f.to_json() for f in findings]}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
