"""A small Flax linen regression, written the way the Flax examples are."""

from functools import partial
from typing import Any, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax
from flax.training import train_state

LEARNING_RATE = 1e-2
NUM_STEPS = 50
Batch = tuple[jax.Array, jax.Array]
PRNGKey = Any

rng = jax.random.PRNGKey(0)
optimizer = optax.adam(LEARNING_RATE)
inputs = jax.random.normal(jax.random.PRNGKey(1), (64, 3))
targets = inputs @ jnp.array([[1.0], [-2.0], [0.5]])


class MLP(nn.Module):
    features: Sequence[int] = (16, 1)
    activation: Any = nn.relu
    kernel_init: Any = nn.initializers.lecun_normal()

    @nn.compact
    def __call__(self, x):
        for size in self.features[:-1]:
            x = self.activation(nn.Dense(size, kernel_init=self.kernel_init)(x))
        return nn.Dense(self.features[-1])(x)


@partial(jax.jit, static_argnames=("apply_fn",))
def loss_fn(params, batch: Batch, apply_fn):
    x, y = batch
    return jnp.mean((apply_fn({"params": params}, x) - y) ** 2)


@jax.jit
def train_step(state: train_state.TrainState, batch: Batch):
    loss, grads = jax.value_and_grad(loss_fn)(state.params, batch, state.apply_fn)
    return state.apply_gradients(grads=grads), loss


def main(num_steps=NUM_STEPS):
    model = MLP()
    params = model.init(rng, inputs)["params"]
    state = train_state.TrainState.create(apply_fn=model.apply, params=params, tx=optimizer)
    for _ in range(num_steps):
        state, loss = train_step(state, (inputs, targets))
    print(f"Final loss: {float(loss):.4f}")
    return {"loss": float(loss)}


if __name__ == "__main__":
    main()
