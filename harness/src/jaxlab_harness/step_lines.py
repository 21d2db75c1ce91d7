"""The fallback for programs that print their progress instead of calling
``jaxlab.log()``: a line that unambiguously holds a step and named numbers
becomes points of the step series.

Accepted (case-insensitive ``step``, ``iter`` or ``iteration``, then the
number, optionally ``/total``, then ``name value`` pairs with ``:``, ``=`` or
a space between, separated by commas, semicolons, pipes or spaces, and
nothing else on the line)::

    step 500: loss 0.4488
    Step 500/3000 | loss: 0.45 | acc: 0.91
    [iter 20] loss=1.2e-3, lr=0.001

Not accepted: lines with anything else in them (``epoch 2 step 5 ...``, ``step
5 took 3.2 s``), since a guess would draw a wrong curve.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?)"
_NAME = r"[A-Za-z_][A-Za-z0-9_.\-/]{0,63}"
_PAIR = rf"(?P<name>{_NAME})\s*(?:[:=]\s*|\s+)(?P<value>{_NUMBER})"
_SEPARATOR = r"\s*[,;|]?\s*"

_HEAD = re.compile(
    r"^\W*(?:step|iter|iteration)\s*[#:=]?\s*(?P<step>\d{1,16})"
    r"(?:\s*/\s*(?P<total>\d{1,16}))?\s*[\]):,|\-]*\s*",
    re.IGNORECASE,
)
_PAIRS = re.compile(rf"(?:{_PAIR}{_SEPARATOR})+$", re.IGNORECASE)
_ONE_PAIR = re.compile(rf"{_PAIR}{_SEPARATOR}", re.IGNORECASE)
_MAX_LINE_CHARS = 1000


def parse_step_line(line: str) -> tuple[int, int | None, dict[str, float]] | None:
    """``(step, total or None, {name: value})`` of a progress line, else None.

    >>> parse_step_line("step 500: loss 0.4488")
    (500, None, {'loss': 0.4488})
    >>> parse_step_line("Final accuracy: 1.0") is None
    True
    """
    line = line.strip()
    if len(line) > _MAX_LINE_CHARS:
        return None
    head = _HEAD.match(line)
    if head is None:
        return None
    rest = line[head.end() :]
    if not rest or _PAIRS.fullmatch(rest) is None:
        return None
    values: dict[str, float] = {}
    for pair in _ONE_PAIR.finditer(rest):
        name = pair.group("name")
        if name.lower() in ("step", "iter", "iteration") or name in values:
            return None
        values[name] = float(pair.group("value"))
    total = int(head.group("total")) if head.group("total") else None
    return int(head.group("step")), total, values


class StepLineScanner:
    """Feeds the step lines of a call's output to ``sink(step, total, values)``
    while ``enabled()`` holds (the program has not called ``jaxlab.log()``)."""

    def __init__(
        self,
        sink: Callable[[int, int | None, dict[str, float]], None],
        enabled: Callable[[], bool] = lambda: True,
    ) -> None:
        self._sink = sink
        self._enabled = enabled
        # The unterminated end of each stream; None while a line longer
        # than any step line goes on (it is skipped without being copied).
        self._partial: dict[str, str | None] = {}

    def feed(self, stream: str, text: str) -> None:
        """Scans output text of ``stream``; a partial last line waits for its end."""
        if not self._enabled():
            return
        pending = self._partial.pop(stream, "")
        start = 0
        while (end := text.find("\n", start)) >= 0:
            if pending is not None and len(pending) + end - start <= _MAX_LINE_CHARS:
                self._scan(pending + text[start:end])
            pending = ""
            start = end + 1
        if pending is not None and len(pending) + len(text) - start <= _MAX_LINE_CHARS:
            self._partial[stream] = pending + text[start:]
        else:
            self._partial[stream] = None

    def finish(self) -> None:
        """Scans what is left of unterminated lines."""
        for stream in list(self._partial):
            rest = self._partial.pop(stream)
            if rest is not None:
                self._scan(rest)

    def _scan(self, line: str) -> None:
        if "ter" not in line and "tep" not in line and "TE" not in line:
            return
        parsed = parse_step_line(line.rstrip("\r"))
        if parsed is not None and self._enabled():
            self._sink(*parsed)
