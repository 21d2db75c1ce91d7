"""The kernel's own failures, reported as execute_reply errors: their
names come from the failure table the gateway reads too
(schemas/json/failure-messages.json)."""

from __future__ import annotations

import traceback
from collections.abc import Collection

from .schemas import kernel_error_names
from .violations import Violation, caret_lines

_ENAMES = kernel_error_names()
LOAD_REJECTED = _ENAMES["loadRejected"]
LOAD_ERROR = _ENAMES["loadError"]
FUNCTION_NOT_DEFINED = _ENAMES["functionNotDefined"]
CALL_NOT_ALLOWED = _ENAMES["callNotAllowed"]
DEVICE_UNAVAILABLE = _ENAMES["deviceUnavailable"]


class CellError(Exception):
    """A failure to report as an execute_reply error (not the user's code)."""

    def __init__(self, ename: str, evalue: str, lines: list[str] | None = None) -> None:
        super().__init__(evalue)
        self.ename = ename
        self.evalue = evalue
        self.lines = lines if lines is not None else [f"{ename}: {evalue}"]


def rejected_error(violations: tuple[Violation, ...], files: dict[str, str]) -> CellError:
    """``LoadRejected``: every violation with its line and a caret."""
    first = violations[0]
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    evalue = (
        f"{first.file} was rejected at line {first.line}, column {first.column}"
        f" [{first.rule}]: {first.message}. {first.hint}{more}"
    )
    lines = [f"{LOAD_REJECTED}: nothing of the project ran; fix these and save:"]
    for violation in violations:
        lines.append(f'  File "{violation.file}", line {violation.line}, column {violation.column}')
        lines.extend(caret_lines(files.get(violation.file, "").splitlines(), violation))
        lines.append(f"{violation.message} [{violation.rule}]")
        if violation.hint:
            lines.append(f"  Hint: {violation.hint}")
    return CellError(LOAD_REJECTED, evalue, lines)


def user_error(error: BaseException, files: Collection[str]) -> CellError:
    """The user's exception, its traceback starting at the first frame of
    one of the project's ``files``."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename not in files:
        tb = tb.tb_next
    try:
        lines = traceback.format_exception(type(error), error, tb)
    except Exception:
        lines = [f"{type(error).__name__}: {error}"]
    return CellError(type(error).__name__, _safe_str(error), [ln.rstrip("\n") for ln in lines])


def _safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"
