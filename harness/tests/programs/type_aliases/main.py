"""Type aliases, NamedTuples and a registered pytree dataclass."""

from dataclasses import dataclass
from typing import Any, Callable, Mapping, NamedTuple, Optional, Union

import jax
import jax.numpy as jnp
import numpy as np

Array = jax.Array
PRNGKey = Any
Params = Mapping[str, Array]
Batch = Mapping[str, np.ndarray]
Activation = Callable[[Array], Array]
MaybeArray = Optional[Union[Array, float]]


class TrainState(NamedTuple):
    params: Params
    step: int


@jax.tree_util.register_dataclass
@dataclass
class Scale:
    factor: Array
    name: str = "scale"


def apply(params: Params, batch: Batch, act: Activation = jax.nn.relu) -> Array:
    return act(batch["x"] @ params["w"])


def main(seed: int = 0) -> float:
    key: PRNGKey = jax.random.PRNGKey(seed)
    state = TrainState(params={"w": jnp.ones((3, 1))}, step=0)
    batch: Batch = {"x": np.asarray(jax.random.normal(key, (4, 3)))}
    scaled = jax.tree_util.tree_map(lambda v: v * 2, Scale(jnp.float32(1.5)))
    out = apply(state.params, batch) * scaled.factor
    print(f"shape={out.shape} factor={float(scaled.factor)}")
    return float(out.sum())
