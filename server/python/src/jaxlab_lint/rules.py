"""The lint's rules: id, short name, severity, why it matters on TPU, the fix.

They come from JAX's documented sharp bits and its performance advice.
"""

from __future__ import annotations

from dataclasses import dataclass


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
