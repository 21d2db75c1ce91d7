"""Every check of the lint, in the order they run: each reads the
:class:`~jaxlab_lint.program.Program` and reports to the findings."""

from __future__ import annotations

from collections.abc import Callable

from ..findings import Findings
from ..program import Program
from .array_mutation import check_mutation_outside_jit
from .jit_usage import check_jit_fresh, check_train_step_not_jitted
from .loops import check_loops
from .precision import check_float64
from .prng_keys import check_key_reuse
from .timing import check_timing
from .traced_functions import check_traced_functions

Check = Callable[[Program, Findings], None]

CHECKS: tuple[Check, ...] = (
    check_traced_functions,
    check_jit_fresh,
    check_train_step_not_jitted,
    check_loops,
    check_float64,
    check_timing,
    check_key_reuse,
    check_mutation_outside_jit,
)
