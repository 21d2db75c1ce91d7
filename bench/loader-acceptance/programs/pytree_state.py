from typing import NamedTuple

import jax
import jax.numpy as jnp

Params = dict
Array = jax.Array


class TrainState(NamedTuple):
    params: Params
    step: Array


@jax.tree_util.register_pytree_node_class
class Running:
    def __init__(self, total, count):
        self.total = total
        self.count = count

    def tree_flatten(self):
        return (self.total, self.count), None

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(*children)

    def mean(self):
        return self.total / self.count


@jax.jit
def accumulate(stat: Running, value: Array) -> Running:
    return Running(stat.total + value, stat.count + 1)


def main(n: int = 5):
    stat = Running(jnp.float32(0), jnp.int32(0))
    for i in range(n):
        stat = accumulate(stat, jnp.float32(i))
    state = TrainState(params={"mean": stat.mean()}, step=jnp.int32(n))
    print(jax.tree_util.tree_map(float, state.params), int(state.step))
