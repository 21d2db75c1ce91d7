"""Calls of absl programs: ``main(batch_size=64)`` for a ``main(argv)`` whose
settings are absl flags.

When the project defines absl flags and the designated function takes one
positional argument (``argv``) that the cell's keywords do not fit, each
keyword sets the flag of that name (a program without flags gets only argv) (parsed as absl parses it) and the
function is called with ``[<path of main.py>]``, as ``app.run`` would after
parsing the command line. Flags not named return to their defaults.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable
from typing import Any


class FlagCallError(Exception):
    """The keywords of an absl call name an unknown flag or a bad value."""


def program_flags(module_names: Iterable[str]) -> dict[str, Any]:
    """The absl flags (name -> Flag) the project's modules define."""
    flags = sys.modules.get("absl.flags")
    if flags is None:
        return {}
    names = set(module_names)
    by_module = flags.FLAGS.flags_by_module_dict()
    return {
        flag.name: flag for module, found in by_module.items() if module in names for flag in found
    }


def prepare_flags() -> None:
    """Marks absl's flags parsed (with defaults) before the program runs, so
    its top level may read ``FLAGS.x`` as the flags are defined."""
    flags = sys.modules.get("absl.flags")
    if flags is not None and not flags.FLAGS.is_parsed():
        flags.FLAGS(sys.argv[:1], known_only=True)


def forget_flags(module_names: Iterable[str]) -> None:
    """Removes the flags of the project's modules (before a new version of
    the project defines them again)."""
    flags = sys.modules.get("absl.flags")
    for name in program_flags(module_names):
        delattr(flags.FLAGS, name)  # type: ignore[union-attr]


def absl_arguments(
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    module_names: Iterable[str],
) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """The arguments to call ``function`` with as an absl ``main(argv)``, after
    setting its flags from ``kwargs``; None when this is a plain call.

    Raises:
        FlagCallError: a keyword names no flag, or its value does not parse.
    """
    defined = program_flags(module_names)
    if args or "absl.flags" not in sys.modules or (kwargs and not defined):
        return None
    try:
        signature = inspect.signature(function)
        signature.bind(*args, **kwargs)
        return None
    except TypeError:
        pass
    except ValueError:
        return None
    positional = [
        p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(positional) != 1:
        return None
    listed = ", ".join(sorted(defined))
    unknown = [key for key in kwargs if key not in defined]
    if unknown:
        raise FlagCallError(
            f"{function.__name__}() takes argv and main.py defines no flag {unknown[0]!r};"
            f" its flags are: {listed}"
        )
    flags = sys.modules["absl.flags"]
    if not defined:
        return (list(sys.argv[:1]),), {}
    flags.FLAGS.unparse_flags()
    flags.FLAGS(sys.argv[:1], known_only=True)
    for key, value in kwargs.items():
        try:
            flags.FLAGS[key].parse(value)
        except flags.Error as error:
            raise FlagCallError(f"{error}; main.py's flags are: {listed}") from None
    try:
        flags.FLAGS.validate_all_flags()
    except flags.Error as error:
        raise FlagCallError(str(error)) from None
    return (list(sys.argv[:1]),), {}
