"""Built-in JAX lint of JAX TPU Lab.

Reads Python source on stdin and writes ``{"findings": [...]}`` as JSON on
stdout. It only parses the code with :mod:`ast`; nothing is ever imported or
executed. Each finding names a rule (``JAX001``...), the line and column
(1-based), a severity, what was found, why it matters on TPU and the fix.
The rules come from JAX's documented sharp bits and performance advice.
"""

from __future__ import annotations

import ast
import json
import sys
from dataclasses import asdict, dataclass

MAX_SOURCE_CHARS = 1_000_000
MAX_FINDINGS = 500


@dataclass(frozen=True)
class Rule:
    """A lint rule: id, short name, severity, why it matters and the fix."""

    id: str
    name: str
    severity: str
    why: str
    fix: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        Rule(
            "JAX000",
            "syntax-error",
            "error",
            "Code that does not parse cannot be loaded or compiled.",
            "Fix the syntax error at the reported position.",
        ),
        Rule(
            "JAX001",
            "python-loop-in-jit",
            "warning",
            "A Python for-loop inside a jitted function is unrolled at trace time: "
            "the XLA program grows with the trip count, so compile time and "
            "program size explode on TPU.",
            "Use jax.lax.fori_loop or jax.lax.scan (or vectorise with jax.vmap).",
        ),
        Rule(
            "JAX002",
            "train-step-not-jitted",
            "warning",
            "A training step computing gradients that runs without jax.jit "
            "dispatches every operation separately; on TPU this is typically "
            "orders of magnitude slower than one fused compiled program.",
            "Wrap the step once, outside the loop: step = jax.jit(train_step), "
            "or decorate it with @jax.jit.",
        ),
        Rule(
            "JAX003",
            "jit-fresh-function",
            "warning",
            "jax.jit caches compiled code per function object; jitting a lambda, "
            "a freshly defined inner function or jitting inside a loop creates a "
            "new function each time and recompiles on every call.",
            "Define the function once at module level and jit it once, outside "
            "loops and hot functions.",
        ),
        Rule(
            "JAX004",
            "recompile-varying-shapes",
            "warning",
            "A jitted function recompiles for every new input shape; slices whose "
            "length depends on the loop variable give a new shape (and a new "
            "TPU compilation) on every iteration.",
            "Pad or bucket inputs to a few fixed shapes, or use fixed-size "
            "windows with jax.lax.dynamic_slice.",
        ),
        Rule(
            "JAX005",
            "data-dependent-shape",
            "error",
            "Inside jit every shape must be known at trace time; nonzero, "
            "argwhere, unique and one-argument where return data-dependent shapes "
            "and fail with a ConcretizationTypeError.",
            "Pass a static size= (and fill_value=) or use the three-argument "
            "jnp.where(cond, x, y) with a mask.",
        ),
        Rule(
            "JAX006",
            "python-control-flow-on-traced",
            "error",
            "Python if/while on a traced value inside jit needs a concrete "
            "boolean and raises a TracerBoolConversionError (or forces the "
            "argument to be static and recompiles per value).",
            "Use jax.lax.cond / jax.lax.while_loop / jnp.where, or mark the "
            "argument static with static_argnames.",
        ),
        Rule(
            "JAX007",
            "host-transfer-in-loop",
            "warning",
            ".item(), float(), int(), np.asarray() or jax.device_get on a device "
            "array copies it to the host and blocks until the device is done; in "
            "a loop this serialises host and TPU on every iteration.",
            "Keep values on device inside the loop; transfer once after it, or "
            "only every N steps for logging.",
        ),
        Rule(
            "JAX008",
            "print-in-jit",
            "warning",
            "print() inside a jitted function runs once at trace time and shows "
            "tracers, not values; it prints nothing on later calls.",
            "Use jax.debug.print('x = {}', x) to print runtime values.",
        ),
        Rule(
            "JAX009",
            "float64",
            "warning",
            "TPUs have no fast float64: x64 is emulated and many times slower, "
            "and it doubles memory traffic.",
            "Use float32 or bfloat16; leave jax_enable_x64 off for TPU runs.",
        ),
        Rule(
            "JAX010",
            "timing-without-block-until-ready",
            "warning",
            "JAX dispatches asynchronously: without block_until_ready the clock "
            "measures only the dispatch, not the TPU computation.",
            "Call .block_until_ready() (or jax.block_until_ready(out)) on the "
            "result before stopping the timer, and time after a warm-up call.",
        ),
        Rule(
            "JAX011",
            "in-place-mutation",
            "error",
            "JAX arrays are immutable: x[i] = v raises a TypeError, and inside "
            "jit the functional update is what XLA turns into an in-place buffer "
            "update on TPU.",
            "Use x = x.at[i].set(v) (or .add, .multiply, ...).",
        ),
        Rule(
            "JAX012",
            "prng-key-reuse",
            "error",
            "Reusing a PRNG key gives identical (correlated) random numbers: JAX's "
            "random functions are pure functions of the key.",
            "Split first: key, subkey = jax.random.split(key), and use each key once.",
        ),
        Rule(
            "JAX013",
            "side-effect-in-jit",
            "warning",
            "Mutating globals or outer lists inside a jitted function happens "
            "only once, at trace time; later calls skip it and may leak tracers.",
            "Return the values from the function instead of mutating outer state.",
        ),
        Rule(
            "JAX014",
            "numpy-on-traced",
            "error",
            "numpy functions cannot operate on traced values: inside jit they "
            "raise a TracerArrayConversionError or silently run on the host.",
            "Use the jax.numpy (jnp) equivalent inside jitted code.",
        ),
    ]
}

JIT_NAMES = {"jit", "pmap"}
TIMER_FUNCS = {
    "time",
    "perf_counter",
    "monotonic",
    "process_time",
    "perf_counter_ns",
    "time_ns",
}
DATA_DEPENDENT = {"nonzero", "argwhere", "flatnonzero", "unique"}
RANDOM_NON_CONSUMING = {
    "PRNGKey",
    "key",
    "key_data",
    "wrap_key_data",
    "key_impl",
    "clone",
}
HOST_CALLS = {"float", "int"}
SHAPE_ATTRS = {"shape", "ndim", "dtype", "size"}


@dataclass
class Finding:
    """One finding, as the LintFinding schema describes it."""

    rule: str
    name: str
    line: int
    column: int
    severity: str
    message: str
    why: str
    fix: str


def dotted(node: ast.AST) -> str:
    """`a.b.c` for Name/Attribute chains, else ''."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def names_in(node: ast.AST) -> set[str]:
    """Every Name id read in `node`."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class Aliases:
    """What the module imported under which name (jax, jnp, np, random, time)."""

    def __init__(self, tree: ast.Module) -> None:
        self.jax = {"jax"}
        self.jnp = {"jnp"}
        self.np = set()
        self.jit = set()
        self.random = set()
        self.time = set()
        self.timer_funcs = set()
        self.partial = {"functools.partial"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    local = a.asname or a.name.split(".")[0]
                    if a.name == "jax":
                        self.jax.add(local)
                    elif a.name == "jax.numpy":
                        self.jnp.add(a.asname or "jax.numpy")
                    elif a.name == "numpy":
                        self.np.add(local)
                    elif a.name == "jax.random":
                        self.random.add(a.asname or "jax.random")
                    elif a.name == "time":
                        self.time.add(local)
            elif isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                for a in node.names:
                    local = a.asname or a.name
                    if mod == "jax" and a.name in JIT_NAMES:
                        self.jit.add(local)
                    elif mod == "jax" and a.name == "numpy":
                        self.jnp.add(local)
                    elif mod == "jax" and a.name == "random":
                        self.random.add(local)
                    elif mod == "time" and a.name in TIMER_FUNCS:
                        self.timer_funcs.add(local)
                    elif mod == "functools" and a.name == "partial":
                        self.partial.add(local)
        for j in self.jax:
            self.random.add(f"{j}.random")

    def is_jit(self, func: ast.AST) -> bool:
        name = dotted(func)
        if name in self.jit:
            return True
        head, _, tail = name.rpartition(".")
        return tail in JIT_NAMES and head in self.jax

    def is_jnp(self, name: str) -> bool:
        head = name.rpartition(".")[0]
        return head in self.jnp or any(head == f"{j}.numpy" for j in self.jax)

    def is_np(self, name: str) -> bool:
        return name.rpartition(".")[0] in self.np

    def random_fn(self, func: ast.AST) -> str | None:
        name = dotted(func)
        head, _, tail = name.rpartition(".")
        return tail if head in self.random else None

    def is_timer(self, func: ast.AST) -> bool:
        name = dotted(func)
        if name in self.timer_funcs:
            return True
        head, _, tail = name.rpartition(".")
        return head in self.time and tail in TIMER_FUNCS

    def jit_of(self, call: ast.AST) -> ast.Call | None:
        """The jit(...) call if `call` is jit(f, ...) or partial(jit, ...)(f)."""
        if isinstance(call, ast.Call) and self.is_jit(call.func):
            return call
        return None

    def is_jit_decorator(self, dec: ast.AST) -> tuple[bool, set[str], set[int]]:
        """Whether a decorator jits; with its static argnames/argnums."""
        if self.is_jit(dec):
            return True, set(), set()
        if isinstance(dec, ast.Call):
            if self.is_jit(dec.func):
                return (True, *static_args(dec))
            if (
                dotted(dec.func) in self.partial
                and dec.args
                and self.is_jit(dec.args[0])
            ):
                return (True, *static_args(dec))
        return False, set(), set()


def static_args(call: ast.Call) -> tuple[set[str], set[int]]:
    """static_argnames / static_argnums given as literals in a jit call."""
    names: set[str] = set()
    nums: set[int] = set()
    for kw in call.keywords:
        try:
            value = ast.literal_eval(kw.value)
        except (ValueError, SyntaxError, TypeError, RecursionError):
            continue
        values = value if isinstance(value, (tuple, list)) else [value]
        if kw.arg == "static_argnames":
            names |= {v for v in values if isinstance(v, str)}
        elif kw.arg == "static_argnums":
            nums |= {v for v in values if isinstance(v, int)}
    return names, nums


class Linter:
    """Runs every rule over one module."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.al = Aliases(tree)
        self.findings: list[Finding] = []
        self._reported: set[tuple[str, int, int]] = set()
        self._traced_node_ids: set[int] | None = None
        self.functions: dict[str, ast.FunctionDef] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, node)  # type: ignore[arg-type]
        # name -> (static argnames, static argnums) of directly jitted functions
        self.jitted: dict[str, tuple[set[str], set[int]]] = {}
        # names bound to a jitted callable (g = jax.jit(f), @jit def g)
        self.jit_callables: set[str] = set()
        self._find_jitted()
        self.traced: set[str] = self._traced_closure()

    # ---- reporting -------------------------------------------------------

    def report(self, rule_id: str, node: ast.AST, message: str) -> None:
        rule = RULES[rule_id]
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        key = (rule_id, line, col)
        if key in self._reported:
            return
        self._reported.add(key)
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(
                Finding(
                    rule.id,
                    rule.name,
                    line,
                    col,
                    rule.severity,
                    message,
                    rule.why,
                    rule.fix,
                )
            )

    # ---- what is jitted / traced ----------------------------------------

    def _find_jitted(self) -> None:
        for fn in self.functions.values():
            for dec in fn.decorator_list:
                ok, names, nums = self.al.is_jit_decorator(dec)
                if ok:
                    self.jitted[fn.name] = (names, nums)
                    self.jit_callables.add(fn.name)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and self.al.is_jit(node.func) and node.args:
                target = node.args[0]
                if isinstance(target, ast.Name) and target.id in self.functions:
                    names, nums = static_args(node)
                    prev = self.jitted.get(target.id, (set(), set()))
                    self.jitted[target.id] = (prev[0] | names, prev[1] | nums)
            if isinstance(node, ast.Assign) and self.al.jit_of(node.value) is not None:
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.jit_callables.add(t.id)

    def _traced_closure(self) -> set[str]:
        traced = set(self.jitted)
        todo = list(traced)
        while todo:
            fn = self.functions.get(todo.pop())
            if fn is None:
                continue
            for name in names_in(fn):
                if name in self.functions and name not in traced and name != fn.name:
                    traced.add(name)
                    todo.append(name)
        return traced

    def traced_params(self, fn: ast.FunctionDef) -> set[str]:
        args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
        names, nums = self.jitted.get(fn.name, (set(), set()))
        positional = fn.args.posonlyargs + fn.args.args
        out = set()
        for a in args:
            idx = positional.index(a) if a in positional else -1
            if a.arg in names or idx in nums or a.arg in ("self", "cls"):
                continue
            out.add(a.arg)
        if fn.args.vararg:
            out.add(fn.args.vararg.arg)
        return out

    # ---- the rules ---------------------------------------------------------

    def run(self) -> list[Finding]:
        for fn in self.functions.values():
            if fn.name in self.traced:
                self.check_traced_function(fn)
        self.check_jit_fresh()
        self.check_train_step_not_jitted()
        self.check_loops()
        self.check_float64()
        self.check_timing()
        self.check_key_reuse()
        self.check_mutation_outside_jit()
        self.findings.sort(key=lambda f: (f.line, f.column, f.rule))
        return self.findings

    def check_traced_function(self, fn: ast.FunctionDef) -> None:
        tainted = set(self.traced_params(fn))
        # Names assigned from tainted expressions become tainted, in order.
        for node in ast.walk(fn):
            if (
                isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                and node.value is not None
            ) and names_in(node.value) & tainted:
                targets = (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
                for t in targets:
                    tainted |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
        local_dicts = set()
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and isinstance(
                node.value, (ast.Dict, ast.List, ast.DictComp, ast.ListComp)
            ):
                local_dicts |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and dotted(node.value.func) in ("dict", "list")
            ):
                local_dicts |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(fn):
            if node is not fn and isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            ):
                continue
            if (
                isinstance(node, ast.For)
                and isinstance(node.iter, ast.Call)
                and dotted(node.iter.func) == "range"
            ):
                self.report(
                    "JAX001",
                    node,
                    f"Python for-loop over range() inside jitted/traced function '{fn.name}' is unrolled at trace time.",
                )
            elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
                hits = self.traced_names_in_test(node.test, tainted)
                if hits:
                    kind = "while" if isinstance(node, ast.While) else "if"
                    self.report(
                        "JAX006",
                        node,
                        f"Python '{kind}' on traced value(s) {', '.join(sorted(hits))} inside jitted/traced function '{fn.name}'.",
                    )
            elif isinstance(node, ast.Call):
                name = dotted(node.func)
                if name == "print":
                    self.report(
                        "JAX008",
                        node,
                        f"print() inside jitted/traced function '{fn.name}' runs only at trace time.",
                    )
                tail = name.rpartition(".")[2]
                if (
                    self.al.is_jnp(name)
                    and tail in DATA_DEPENDENT
                    and not any(k.arg == "size" for k in node.keywords)
                ):
                    self.report(
                        "JAX005",
                        node,
                        f"{name}() without size= inside jitted/traced function '{fn.name}' has a data-dependent shape.",
                    )
                if (
                    self.al.is_jnp(name)
                    and tail == "where"
                    and len(node.args) == 1
                    and not any(k.arg == "size" for k in node.keywords)
                ):
                    self.report(
                        "JAX005",
                        node,
                        f"One-argument {name}() inside jitted/traced function '{fn.name}' has a data-dependent shape.",
                    )
                if self.al.is_np(name) and any(
                    names_in(a) & tainted
                    for a in [*node.args, *(k.value for k in node.keywords)]
                ):
                    self.report(
                        "JAX014",
                        node,
                        f"numpy call {name}() on traced values inside '{fn.name}'.",
                    )
                if (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("append", "extend", "update")
                    and isinstance(node.func.value, ast.Name)
                ):
                    owner = node.func.value.id
                    if owner not in self.local_names(fn) and any(
                        names_in(a) & tainted for a in node.args
                    ):
                        self.report(
                            "JAX013",
                            node,
                            f"'{owner}.{node.func.attr}(...)' inside jitted/traced function '{fn.name}' mutates outer state at trace time.",
                        )
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                self.report(
                    "JAX013",
                    node,
                    f"'{'global' if isinstance(node, ast.Global) else 'nonlocal'} {', '.join(node.names)}' inside jitted/traced function '{fn.name}'.",
                )
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
                for t in targets:
                    if (
                        isinstance(t, ast.Subscript)
                        and isinstance(t.value, ast.Name)
                        and t.value.id in tainted
                        and t.value.id not in local_dicts
                        and not (
                            isinstance(t.slice, ast.Constant)
                            and isinstance(t.slice.value, str)
                        )
                    ):
                        self.report(
                            "JAX011",
                            t,
                            f"In-place assignment to '{t.value.id}[...]' inside jitted/traced function '{fn.name}'.",
                        )

    def local_names(self, fn: ast.FunctionDef) -> set[str]:
        out = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                out.add(node.id)
        return out

    def traced_names_in_test(self, test: ast.AST, tainted: set[str]) -> set[str]:
        """Tainted names the test's truth value depends on (not shapes, None checks)."""
        safe: set[int] = set()
        for node in ast.walk(test):
            if isinstance(node, ast.Attribute) and node.attr in SHAPE_ATTRS:
                safe |= {id(n) for n in ast.walk(node.value)}
            elif (
                isinstance(node, ast.Call)
                and dotted(node.func)
                in ("len", "isinstance", "callable", "hasattr", "type")
                or isinstance(node, ast.Compare)
                and all(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops)
            ):
                safe |= {id(n) for n in ast.walk(node)}
        return {
            n.id
            for n in ast.walk(test)
            if isinstance(n, ast.Name) and n.id in tainted and id(n) not in safe
        }

    def check_jit_fresh(self) -> None:
        def visit(
            node: ast.AST, fn: ast.AST | None, in_loop: bool, inner: set[str]
        ) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    if fn is not None:
                        inner.add(child.name)
                    visit(child, child, False, set())
                    continue
                if (
                    isinstance(child, ast.Call)
                    and self.al.is_jit(child.func)
                    and child.args
                ):
                    target = child.args[0]
                    if in_loop:
                        self.report(
                            "JAX003",
                            child,
                            "jax.jit(...) inside a loop creates and compiles a new function every iteration.",
                        )
                    elif fn is not None and isinstance(target, ast.Lambda):
                        self.report(
                            "JAX003",
                            child,
                            "jax.jit(lambda ...) inside a function body recompiles on every call of that function.",
                        )
                    elif (
                        fn is not None
                        and isinstance(target, ast.Name)
                        and target.id in inner
                    ):
                        self.report(
                            "JAX003",
                            child,
                            f"jax.jit({target.id}) jits an inner function that is redefined on every call.",
                        )
                loop = in_loop or isinstance(
                    child, (ast.For, ast.While, ast.AsyncFor, ast.comprehension)
                )
                visit(child, fn, loop, inner)

        visit(self.tree, None, False, set())

    def check_train_step_not_jitted(self) -> None:
        grad_fns = set()
        for fn in self.functions.values():
            for node in ast.walk(fn):
                if isinstance(node, ast.Call):
                    name = dotted(node.func)
                    head, _, tail = name.rpartition(".")
                    if tail in ("grad", "value_and_grad") and (
                        head in self.al.jax or head == ""
                    ):
                        grad_fns.add(fn.name)
                        break
        for name in grad_fns - self.traced:
            # Flag only steps that are actually called in a loop without jit.
            for loop in ast.walk(self.tree):
                if not isinstance(loop, (ast.For, ast.While)):
                    continue
                for node in ast.walk(loop):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Name)
                        and node.func.id == name
                    ):
                        self.report(
                            "JAX002",
                            self.functions[name],
                            f"'{name}' computes gradients and is called in a loop at line {node.lineno} without jax.jit.",
                        )
                        break

    def check_loops(self) -> None:
        for loop in ast.walk(self.tree):
            if not isinstance(loop, (ast.For, ast.While)):
                continue
            loop_vars = names_in(loop.target) if isinstance(loop, ast.For) else set()
            in_traced = self.enclosing_traced(loop)
            for stmt in loop.body:
                self.check_loop_stmt(stmt, loop_vars, in_traced)

    def enclosing_traced(self, target: ast.AST) -> bool:
        if self._traced_node_ids is None:
            self._traced_node_ids = {
                id(n)
                for fn in self.functions.values()
                if fn.name in self.traced
                for n in ast.walk(fn)
            }
        return id(target) in self._traced_node_ids

    def check_loop_stmt(
        self, stmt: ast.AST, loop_vars: set[str], in_traced: bool
    ) -> None:
        # Statements under an `if` inside the loop (periodic logging) are fine.
        if isinstance(
            stmt,
            (
                ast.If,
                ast.FunctionDef,
                ast.AsyncFunctionDef,
                ast.ClassDef,
                ast.For,
                ast.While,
            ),
        ):
            return
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            name = dotted(node.func)
            if not in_traced:
                if (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr == "item"
                    and not node.args
                ):
                    self.report(
                        "JAX007",
                        node,
                        ".item() in a loop copies to the host and blocks every iteration.",
                    )
                elif name in HOST_CALLS and len(node.args) == 1:
                    arg = node.args[0]
                    simple = isinstance(arg, ast.Constant) or (
                        isinstance(arg, ast.Name) and arg.id in loop_vars
                    )
                    if not simple and not (
                        isinstance(arg, ast.Call)
                        and dotted(arg.func) in ("len", "round", "str", "input")
                    ):
                        self.report(
                            "JAX007",
                            node,
                            f"{name}() of a device value in a loop blocks on the device every iteration.",
                        )
                elif self.al.is_np(name) and name.rpartition(".")[2] in (
                    "asarray",
                    "array",
                ):
                    self.report(
                        "JAX007",
                        node,
                        f"{name}() in a loop copies device arrays to the host every iteration.",
                    )
                elif (
                    name.rpartition(".")[2] == "device_get"
                    and name.rpartition(".")[0] in self.al.jax
                ):
                    self.report(
                        "JAX007",
                        node,
                        "jax.device_get() in a loop copies to the host every iteration.",
                    )
            if (
                isinstance(node.func, ast.Name)
                and node.func.id in self.jit_callables
                and loop_vars
            ):
                for arg in node.args:
                    for sub in ast.walk(arg):
                        if isinstance(sub, ast.Subscript):
                            slices = (
                                [sub.slice]
                                if not isinstance(sub.slice, ast.Tuple)
                                else list(sub.slice.elts)
                            )
                            for s in slices:
                                if isinstance(s, ast.Slice) and any(
                                    part is not None and names_in(part) & loop_vars
                                    for part in (s.lower, s.upper)
                                ):
                                    self.report(
                                        "JAX004",
                                        sub,
                                        f"Slice whose length follows the loop variable is passed to jitted '{node.func.id}': a new shape, and a recompilation, per iteration.",
                                    )

    def check_float64(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Constant) and node.value in (
                "jax_enable_x64",
                "float64",
                "f8",
            ):
                self.report(
                    "JAX009", node, f"'{node.value}' enables or requests 64-bit floats."
                )
            elif isinstance(node, ast.Attribute) and node.attr in (
                "float64",
                "complex128",
            ):
                self.report(
                    "JAX009",
                    node,
                    f"{dotted(node) or node.attr} requests 64-bit precision.",
                )

    def check_timing(self) -> None:
        for fn in [*self.functions.values(), self.tree]:
            timers = []
            blocks = False
            jax_work = False
            for node in ast.walk(fn):
                if isinstance(node, ast.Call):
                    name = dotted(node.func)
                    if self.al.is_timer(node.func):
                        timers.append(node)
                    elif name.endswith("block_until_ready") or (
                        isinstance(node.func, ast.Attribute)
                        and node.func.attr == "block_until_ready"
                    ):
                        blocks = True
                    elif (
                        isinstance(node.func, ast.Name)
                        and node.func.id in self.jit_callables
                    ) or name.split(".")[0] in self.al.jax | self.al.jnp:
                        jax_work = True
            if fn is self.tree:
                # Module-level code only; functions were checked on their own.
                continue
            if len(timers) >= 2 and jax_work and not blocks:
                self.report(
                    "JAX010",
                    timers[-1],
                    f"'{getattr(fn, 'name', '<module>')}' times JAX work without block_until_ready().",
                )

    def check_key_reuse(self) -> None:
        scopes: list[ast.AST] = [self.tree, *self.functions.values()]
        for scope in scopes:
            body = scope.body  # type: ignore[attr-defined]
            self.scan_keys(body, {}, in_loop_assigned=None)

    def scan_keys(
        self,
        stmts: list[ast.stmt],
        used: dict[str, ast.AST],
        in_loop_assigned: set[str] | None,
    ) -> None:
        """Walks statements in order; `used` maps key name -> last consuming call."""
        for stmt in stmts:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(stmt, (ast.For, ast.While)):
                assigned = {
                    n.id
                    for n in ast.walk(stmt)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                }
                self.scan_keys(stmt.body, used, assigned)
                continue
            if isinstance(stmt, ast.If):
                a, b = dict(used), dict(used)
                self.scan_keys(stmt.body, a, in_loop_assigned)
                self.scan_keys(stmt.orelse, b, in_loop_assigned)
                used.clear()
                used.update(a)
                used.update(b)
                continue
            if isinstance(stmt, (ast.With, ast.Try)):
                inner = list(stmt.body) + [
                    s for h in getattr(stmt, "handlers", []) for s in h.body
                ]
                self.scan_keys(inner, used, in_loop_assigned)
                continue
            calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call)]
            calls.sort(key=lambda n: (n.lineno, n.col_offset))
            for call in calls:
                fn = self.al.random_fn(call.func)
                if fn is None or fn in RANDOM_NON_CONSUMING or not call.args:
                    continue
                key = call.args[0]
                if not isinstance(key, ast.Name):
                    continue
                if key.id in used:
                    self.report(
                        "JAX012",
                        call,
                        f"PRNG key '{key.id}' was already used at line {used[key.id].lineno}; reusing it repeats the same random numbers.",
                    )
                elif in_loop_assigned is not None and key.id not in in_loop_assigned:
                    self.report(
                        "JAX012",
                        call,
                        f"PRNG key '{key.id}' is used on every loop iteration without being split or replaced.",
                    )
                used[key.id] = call
            for n in ast.walk(stmt):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    used.pop(n.id, None)

    def check_mutation_outside_jit(self) -> None:
        for scope in [*self.functions.values()]:
            if scope.name in self.traced:
                continue
            arrays: set[str] = set()
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                    name = dotted(node.value.func)
                    if (
                        self.al.is_jnp(name)
                        or self.al.random_fn(node.value.func) is not None
                    ):
                        arrays |= {
                            t.id for t in node.targets if isinstance(t, ast.Name)
                        }
            for node in ast.walk(scope):
                if isinstance(node, (ast.Assign, ast.AugAssign)):
                    targets = (
                        node.targets if isinstance(node, ast.Assign) else [node.target]
                    )
                    for t in targets:
                        if (
                            isinstance(t, ast.Subscript)
                            and isinstance(t.value, ast.Name)
                            and t.value.id in arrays
                        ):
                            self.report(
                                "JAX011",
                                t,
                                f"In-place assignment to JAX array '{t.value.id}[...]' raises TypeError.",
                            )


def lint(source: str) -> list[dict]:
    """Findings for `source`, as dicts in LintFinding shape."""
    if len(source) > MAX_SOURCE_CHARS:
        source = source[:MAX_SOURCE_CHARS]
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        rule = RULES["JAX000"]
        return [
            asdict(
                Finding(
                    rule.id,
                    rule.name,
                    max(e.lineno or 1, 1),
                    max(e.offset or 1, 1),
                    rule.severity,
                    f"Syntax error: {e.msg}",
                    rule.why,
                    rule.fix,
                )
            )
        ]
    except (RecursionError, MemoryError, ValueError) as e:
        rule = RULES["JAX000"]
        return [
            asdict(
                Finding(
                    rule.id,
                    rule.name,
                    1,
                    1,
                    rule.severity,
                    f"Code could not be parsed: {type(e).__name__}",
                    rule.why,
                    rule.fix,
                )
            )
        ]
    try:
        return [asdict(f) for f in Linter(tree).run()]
    except RecursionError:
        return []


def main() -> int:
    """Reads code on stdin, writes {"findings": [...]} on stdout."""
    sys.setrecursionlimit(3000)
    source = sys.stdin.read()
    json.dump({"findings": lint(source)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
