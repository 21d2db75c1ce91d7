"""Module-level setup by the script's own classes, then a guard."""
import dataclasses

import jax.numpy as jnp


@dataclasses.dataclass
class Config:
    steps: int = 3
    scale: float = 0.5


config = Config(steps=4)
history = []


def train():
    value = jnp.float32(1.0)
    for _ in range(config.steps):
        value = value * config.scale
        history.append(float(value))
    return value


if __name__ == "__main__":
    result = train()
    print("result", float(result))
    print("history", history)
