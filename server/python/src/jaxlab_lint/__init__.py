"""Built-in JAX lint of JAX TPU Lab.

:func:`lint` parses Python source with :mod:`ast` (nothing is ever imported
or executed) and returns findings: a rule (``JAX001``...), the line and
column (1-based), a severity, what was found, why it matters on TPU and the
fix. The rules (:data:`RULES`) come from JAX's documented sharp bits and
performance advice. ``python -m jaxlab_lint`` reads source on stdin and
writes ``{"findings": [...]}``; the server's review runs it that way.
"""

from .findings import MAX_FINDINGS, Finding
from .linter import MAX_SOURCE_CHARS, lint
from .rules import RULES, Rule

__version__ = "0.1.0"

__all__ = ["MAX_FINDINGS", "MAX_SOURCE_CHARS", "RULES", "Finding", "Rule", "__version__", "lint"]
