import jax.numpy as jnp


def accuracy(probabilities, labels):
    return float(jnp.mean((probabilities > 0.5) == (labels > 0.5)))
