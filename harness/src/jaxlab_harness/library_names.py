"""Names the loader knows about libraries: what may take the user's code
without calling it, and what is never allowed.

A module-level call may pass a user-defined function, class or lambda only to
a *wrapper*: a library callable that stores or wraps it and does not call it
while the module loads (``jax.jit(step)``, ``hk.transform(forward)``,
``jax.tree_util.register_pytree_node(Point, flatten, unflatten)``). Anything
else might call it (``jax.tree_util.tree_map(f, tree)``, ``sorted(xs, key=f)``)
and is rejected.
"""

from __future__ import annotations

WRAPPERS = frozenset(
    {
        "jax.jit",
        "jax.pjit",
        "jax.vmap",
        "jax.pmap",
        "jax.grad",
        "jax.value_and_grad",
        "jax.jacfwd",
        "jax.jacrev",
        "jax.jacobian",
        "jax.hessian",
        "jax.checkpoint",
        "jax.remat",
        "jax.custom_jvp",
        "jax.custom_vjp",
        "jax.custom_gradient",
        "jax.named_call",
        "jax.shard_map",
        "jax.experimental.shard_map.shard_map",
        "jax.experimental.pjit.pjit",
        "jax.experimental.checkify.checkify",
        "jax.tree_util.Partial",
        "jax.tree_util.register_pytree_node",
        "jax.tree_util.register_pytree_node_class",
        "jax.tree_util.register_pytree_with_keys",
        "jax.tree_util.register_pytree_with_keys_class",
        "jax.tree_util.register_dataclass",
        "jax.tree_util.register_static",
        "jax.tree.register_pytree_node",
        "functools.partial",
        "functools.wraps",
        "functools.update_wrapper",
        "functools.lru_cache",
        "functools.cache",
        "functools.cached_property",
        "functools.total_ordering",
        "functools.singledispatch",
        "dataclasses.dataclass",
        "dataclasses.field",
        "abc.abstractmethod",
        "contextlib.contextmanager",
        "typing.final",
        "typing.overload",
        "typing.no_type_check",
        "typing.runtime_checkable",
        "typing.NewType",
        "typing.TypeVar",
        "typing.cast",
        "builtins.staticmethod",
        "builtins.classmethod",
        "builtins.property",
        "numpy.vectorize",
        "flax.struct.dataclass",
        "flax.struct.field",
        "flax.linen.compact",
        "flax.linen.nowrap",
        "flax.linen.jit",
        "flax.linen.vmap",
        "flax.linen.scan",
        "flax.linen.remat",
        "flax.linen.checkpoint",
        "flax.linen.named_call",
        "flax.linen.custom_vjp",
        "flax.nnx.jit",
        "flax.nnx.grad",
        "flax.nnx.value_and_grad",
        "flax.nnx.vmap",
        "flax.nnx.scan",
        "flax.nnx.remat",
        "flax.nnx.split_rngs",
        "haiku.transform",
        "haiku.transform_with_state",
        "haiku.without_apply_rng",
        "haiku.multi_transform",
        "haiku.multi_transform_with_state",
        "haiku.to_module",
        "equinox.filter_jit",
        "equinox.filter_grad",
        "equinox.filter_value_and_grad",
        "equinox.filter_vmap",
        "equinox.filter_checkpoint",
        "diffrax.ODETerm",
        "diffrax.ControlTerm",
        "diffrax.MultiTerm",
        "numpyro.infer.NUTS",
        "numpyro.infer.HMC",
        "numpyro.infer.SVI",
        "numpyro.infer.Predictive",
        "numpyro.handlers.seed",
        "numpyro.handlers.substitute",
        "numpyro.handlers.condition",
        "absl.flags.register_validator",
        "absl.flags.validator",
        "absl.flags.multi_flags_validator",
        "absl.flags.register_multi_flags_validator",
    }
)
"""Library callables (fully resolved dotted names) that may take the user's
functions and classes at module level: they wrap or register them and do not
call them there."""

WRAPPER_PACKAGES = frozenset({"optax", "jaxopt"})
"""Packages all of whose callables may take user functions: optax builds
gradient transformations that call schedules and masks only when used; jaxopt
solvers store the objective until ``run``."""

CUSTOM_DERIVATIVES = frozenset({"jax.custom_jvp", "jax.custom_vjp", "flax.linen.custom_vjp"})
"""Decorators whose functions get ``defjvp``/``defvjp`` registrations."""

REGISTRATION_METHODS = frozenset({"defjvp", "defvjp", "defjvps", "def_fwd", "def_bwd"})
"""Methods of a custom-derivative function that register (not call) rules."""

PROPERTY_METHODS = frozenset({"setter", "getter", "deleter"})
"""Methods of a property that make a new property (call nothing)."""

HOOK_METHODS = frozenset(
    {"__init_subclass__", "__class_getitem__", "__set_name__", "__mro_entries__", "__prepare__"}
)
"""Methods Python calls while a class is being defined (user code at load)."""

DENIED_ATTRIBUTES = frozenset(
    {
        "__subclasses__",
        "__globals__",
        "__builtins__",
        "__code__",
        "__import__",
        "__bases__",
        "__base__",
        "__mro__",
        "__closure__",
        "__loader__",
        "__spec__",
        "__reduce__",
        "__reduce_ex__",
        "__getattribute__",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_back",
        "tb_frame",
        "gi_frame",
        "cr_frame",
        "ag_frame",
        "gi_code",
        "cr_code",
    }
)
"""Attributes whose access (anywhere in a file) is rejected as 'dunder-access'."""

DENIED_NAMES = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "globals",
        "locals",
        "breakpoint",
        "__import__",
        "__builtins__",
        "__loader__",
        "__spec__",
    }
)
"""Names whose use (anywhere in a file) is rejected."""

DENIED_DUNDER_TARGETS = frozenset(
    {
        "__builtins__",
        "__name__",
        "__file__",
        "__spec__",
        "__loader__",
        "__package__",
        "__path__",
        "__import__",
        "__class__",
        "__dict__",
        "__getattr__",
        "__dir__",
    }
)
"""Dunder names a module may not bind (``__all__``, ``__version__`` are fine):
the import system's, and hooks Python calls when the module is used."""

IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
"""Exception names whose handler makes the imports of its ``try`` optional."""


def is_wrapper(qualified: str | None) -> bool:
    """Whether the library callable ``qualified`` may take user code."""
    if qualified is None:
        return False
    return qualified in WRAPPERS or qualified.split(".")[0] in WRAPPER_PACKAGES
