"""What the names of a JAX program refer to, through its imports.

``import jax.numpy as jnp`` makes ``jnp.sum`` mean ``jax.numpy.sum``;
``from jax import jit as compile_`` makes ``compile_`` mean ``jax.jit``. The
restricted loader resolves decorators with it, and the server's JAX lint
(``jaxlab_lint``) resolves the calls it checks with it, so both read a
program's names the same way. Pure functions over :mod:`ast` nodes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping


def imported_names(stmt: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    """The ``(local name, fully qualified name)`` pairs an import binds.

    ``import a.b`` binds ``a`` (to ``a``), ``import a.b as c`` binds ``c`` to
    ``a.b``, ``from a import b as c`` binds ``c`` to ``a.b`` (relative
    modules keep their leading dots); ``*`` binds nothing nameable.
    """
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                root = alias.name.split(".")[0]
                yield root, root
        return
    dots = "." * stmt.level
    prefix = f"{dots}{stmt.module}." if stmt.module else dots
    for alias in stmt.names:
        if alias.name != "*":
            yield alias.asname or alias.name, prefix + alias.name


def dotted_parts(node: ast.AST) -> list[str] | None:
    """``['a', 'b', 'c']`` for the expression ``a.b.c``; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return parts


def qualified_name(node: ast.AST, aliases: Mapping[str, str]) -> str | None:
    """The fully qualified dotted name ``node`` refers to, or None.

    ``aliases`` maps local names to what they mean (from
    :func:`imported_names`); None when ``node`` is not a dotted name or its
    first part is not in ``aliases``.

    >>> tree = ast.parse("import jax.numpy as jnp")
    >>> aliases = dict(imported_names(tree.body[0]))
    >>> qualified_name(ast.parse("jnp.sum", mode="eval").body, aliases)
    'jax.numpy.sum'
    """
    parts = dotted_parts(node)
    if parts is None or parts[0] not in aliases:
        return None
    return ".".join([aliases[parts[0]], *parts[1:]])
