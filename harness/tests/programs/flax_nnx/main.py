"""Flax NNX: a module holding its own state, trained with nnx.Optimizer."""

import jax
import jax.numpy as jnp
import optax
from flax import nnx

STEPS = 40
x_train = jnp.linspace(-1.0, 1.0, 32)[:, None]
y_train = 3.0 * x_train + 0.5


class Linear(nnx.Module):
    def __init__(self, din: int, dout: int, *, rngs: nnx.Rngs):
        self.w = nnx.Param(jax.random.normal(rngs.params(), (din, dout)) * 0.1)
        self.b = nnx.Param(jnp.zeros((dout,)))

    def __call__(self, x):
        return x @ self.w[...] + self.b[...]


@nnx.jit
def train_step(model, optimizer, x, y):
    def loss_fn(model):
        return jnp.mean((model(x) - y) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


def main(steps=STEPS, learning_rate=0.1):
    model = Linear(1, 1, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(learning_rate), wrt=nnx.Param)
    for _ in range(steps):
        loss = train_step(model, optimizer, x_train, y_train)
    print(f"Final loss: {float(loss):.5f}")
    return float(loss)
