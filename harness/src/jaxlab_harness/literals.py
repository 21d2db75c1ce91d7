"""Literal expressions: the only values main.py's top level and a cell's call
arguments may contain.

A literal is a constant (number, string, bytes, bool, None, Ellipsis), a signed
number, plain arithmetic on numbers (``1e-3 * 2``, ``2 ** 10``) with bounded
operands, or a tuple, list, set or dict of literals. Evaluating one cannot run
user code, import anything or allocate without bound.
"""

from __future__ import annotations

import ast
import operator
from typing import Any

MAX_LITERAL_DEPTH = 64
"""Deepest nesting of containers/operators accepted in one literal."""

MAX_POWER_EXPONENT = 128
"""Largest absolute exponent of ``**`` between literals (keeps results small)."""

MAX_INT_BITS = 4096
"""Largest integer (in bits) that arithmetic between literals may produce."""

_BIN_OPS: dict[type[ast.operator], Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY_OPS: dict[type[ast.unaryop], Any] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


class LiteralTooDeepError(ValueError):
    """A literal nests deeper than :data:`MAX_LITERAL_DEPTH`."""


class NotLiteralError(ValueError):
    """An expression is not a literal; ``node`` is the offending sub-node."""

    def __init__(self, node: ast.AST, message: str) -> None:
        super().__init__(message)
        self.node = node


def evaluate_literal(node: ast.AST) -> Any:
    """Returns the value of literal expression ``node``.

    Raises:
        NotLiteralError: ``node`` (or a part of it) is not a literal.
        LiteralTooDeepError: ``node`` nests too deeply.
    """
    return _evaluate(node, 0)


def is_literal(node: ast.AST) -> bool:
    """Whether ``node`` is a literal expression (see the module docstring)."""
    try:
        _evaluate(node, 0)
    except (NotLiteralError, LiteralTooDeepError):
        return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, complex)) and not isinstance(value, bool)


def _evaluate(node: ast.AST, depth: int) -> Any:
    if depth > MAX_LITERAL_DEPTH:
        raise LiteralTooDeepError("literal nests too deeply")
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY_OPS:
        value = _evaluate(node.operand, depth + 1)
        if not _is_number(value):
            raise NotLiteralError(node, "only numbers can carry a sign")
        return _UNARY_OPS[type(node.op)](value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN_OPS:
        left = _evaluate(node.left, depth + 1)
        right = _evaluate(node.right, depth + 1)
        if not (_is_number(left) and _is_number(right)):
            raise NotLiteralError(node, "arithmetic is allowed between numbers only")
        if isinstance(node.op, ast.Pow) and (
            not isinstance(right, (int, float)) or abs(right) > MAX_POWER_EXPONENT
        ):
            raise NotLiteralError(node, f"exponents above {MAX_POWER_EXPONENT} are not allowed")
        if isinstance(left, int) and left.bit_length() > MAX_INT_BITS:
            raise NotLiteralError(node, "number too large")
        try:
            result = _BIN_OPS[type(node.op)](left, right)
        except (ArithmeticError, ValueError) as error:
            raise NotLiteralError(node, f"arithmetic fails: {error}") from None
        if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
            raise NotLiteralError(node, "number too large")
        return result
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [_evaluate_item(item, depth) for item in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(items)
        if isinstance(node, ast.List):
            return items
        try:
            return set(items)
        except TypeError:
            raise NotLiteralError(node, "set items must be hashable") from None
    if isinstance(node, ast.Dict):
        result: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=False):
            if key is None:
                raise NotLiteralError(value, "** unpacking is not a literal")
            try:
                result[_evaluate(key, depth + 1)] = _evaluate(value, depth + 1)
            except TypeError:
                raise NotLiteralError(key, "dict keys must be hashable") from None
        return result
    raise NotLiteralError(node, f"{type(node).__name__} is not a literal")


def _evaluate_item(node: ast.AST, depth: int) -> Any:
    if isinstance(node, ast.Starred):
        raise NotLiteralError(node, "* unpacking is not a literal")
    return _evaluate(node, depth + 1)
