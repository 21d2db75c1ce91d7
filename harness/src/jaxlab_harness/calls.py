"""What a cell may do: call one designated function with literal arguments.

:func:`parse_call` turns a cell into a :class:`CallRequest`, ``None`` for an
empty cell, or raises :class:`CallNotAllowed` whose message lists what may be
called.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .literals import LiteralTooDeepError, NotLiteralError, evaluate_literal

MAX_CELL_BYTES = 64 * 1024
"""Largest cell accepted."""


class CallNotAllowed(Exception):  # noqa: N818 - the ename clients see
    """The cell is not a single designated call with literal arguments."""


@dataclass(frozen=True)
class CallRequest:
    """One designated call: ``name(*args, **kwargs)``."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def allowed_calls_message(designated: Sequence[str]) -> str:
    """The sentence that tells a user what a cell may call.

    >>> allowed_calls_message(["main", "train_step"])
    'Only main() and train_step() may be called, with literal arguments, e.g. main() or train_step(steps=100, seed=0)'
    """
    names = [f"{name}()" for name in designated]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    first = designated[0]
    second = designated[1] if len(designated) > 1 else designated[0]
    return (
        f"Only {listed} may be called, with literal arguments,"
        f" e.g. {first}() or {second}(steps=100, seed=0)"
    )


def parse_call(cell: str, designated: Sequence[str]) -> CallRequest | None:
    """Parses ``cell``; ``None`` when it holds no code.

    Raises:
        CallNotAllowed: anything but one call of a name in ``designated``
            with literal arguments (a trailing ``;`` and comments are fine).
    """
    allowed = allowed_calls_message(designated)
    if not cell.strip():
        return None
    if len(cell.encode("utf-8", "replace")) > MAX_CELL_BYTES:
        raise CallNotAllowed(f"The cell is larger than {MAX_CELL_BYTES} bytes. {allowed}")
    try:
        tree = ast.parse(cell.strip(), mode="exec")
    except (SyntaxError, ValueError) as error:
        raise CallNotAllowed(f"The cell is not valid Python ({error}). {allowed}") from None
    except (RecursionError, MemoryError):
        raise CallNotAllowed(f"The cell nests too deeply. {allowed}") from None
    if not tree.body:
        return None
    if len(tree.body) > 1:
        raise CallNotAllowed(f"A cell may hold a single call. {allowed}")
    statement = tree.body[0]
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        raise CallNotAllowed(f"{allowed}.")
    call = statement.value
    if not (isinstance(call.func, ast.Name) and call.func.id in designated):
        target = ast.unparse(call.func)
        if len(target) > 80:
            target = target[:77] + "..."
        raise CallNotAllowed(f"{target}() may not be called. {allowed}")
    name = call.func.id
    try:
        args = tuple(_argument(a) for a in call.args)
        kwargs: dict[str, Any] = {}
        for keyword in call.keywords:
            if keyword.arg is None:
                raise NotLiteralError(keyword.value, "** unpacking is not a literal")
            kwargs[keyword.arg] = evaluate_literal(keyword.value)
    except (NotLiteralError, LiteralTooDeepError) as error:
        raise CallNotAllowed(
            f"Arguments of {name}() must be literals ({error}). {allowed}"
        ) from None
    return CallRequest(name=name, args=args, kwargs=kwargs)


def _argument(node: ast.expr) -> Any:
    if isinstance(node, ast.Starred):
        raise NotLiteralError(node, "* unpacking is not a literal")
    return evaluate_literal(node)
