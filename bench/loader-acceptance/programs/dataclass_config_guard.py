import dataclasses

import jax
import jax.numpy as jnp


@dataclasses.dataclass(frozen=True)
class Config:
    learning_rate: float = 0.1
    steps: int = 50
    seed: int = 0


config = Config(steps=30)


def loss(w, x, y):
    return jnp.mean((x @ w - y) ** 2)


def train():
    key = jax.random.PRNGKey(config.seed)
    x = jax.random.normal(key, (32, 2))
    y = x @ jnp.array([1.0, -1.0])
    w = jnp.zeros(2)
    for _ in range(config.steps):
        w -= config.learning_rate * jax.grad(loss)(w, x, y)
    return w


if __name__ == "__main__":
    print("weights:", train().round(2))
