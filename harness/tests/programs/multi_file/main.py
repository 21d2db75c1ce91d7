"""A project of several files: models.py, a utils/ package, main.py."""

import jax
import jax.numpy as jnp

import models
from utils import batches, describe
from utils.metrics import accuracy

HIDDEN = models.DEFAULT_HIDDEN
key = jax.random.PRNGKey(0)


def main(steps=20):
    params = models.init_params(key, 2, HIDDEN)
    x, y = batches.make_dataset(64)
    for _ in range(steps):
        params = models.sgd_step(params, x, y)
    print(describe(params))
    print(f"Final accuracy: {accuracy(models.predict(params, x), y):.2f}")
    return float(jnp.mean(models.predict(params, x)))
