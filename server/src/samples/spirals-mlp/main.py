"""A small MLP classifying two generated spirals."""

import jax
import jax.numpy as jnp
from jaxlab import log

POINTS_PER_CLASS = 256


def make_spirals(key):
    """Two interleaved spirals, labels 0 and 1."""
    t = jnp.linspace(0.25, 3.0, POINTS_PER_CLASS) * jnp.pi
    noise = 0.05 * jax.random.normal(key, (2, POINTS_PER_CLASS, 2))
    a = jnp.stack([t * jnp.cos(t), t * jnp.sin(t)], axis=1) / (3.0 * jnp.pi)
    x = jnp.concatenate([a + noise[0], -a + noise[1]])
    y = jnp.concatenate([jnp.zeros(POINTS_PER_CLASS), jnp.ones(POINTS_PER_CLASS)])
    return x, y


def init_params(key, hidden):
    """Weights of a 2 -> hidden -> hidden -> 1 MLP."""
    k1, k2, k3 = jax.random.split(key, 3)
    return {
        "w1": jax.random.normal(k1, (2, hidden)) * 1.0,
        "b1": jnp.zeros(hidden),
        "w2": jax.random.normal(k2, (hidden, hidden)) / jnp.sqrt(hidden),
        "b2": jnp.zeros(hidden),
        "w3": jax.random.normal(k3, (hidden, 1)) / jnp.sqrt(hidden),
        "b3": jnp.zeros(1),
    }


def logits(params, x):
    """Forward pass; one logit per point."""
    h = jnp.tanh(x @ params["w1"] + params["b1"])
    h = jnp.tanh(h @ params["w2"] + params["b2"])
    return (h @ params["w3"] + params["b3"])[:, 0]


def loss_fn(params, x, y):
    """Binary cross-entropy."""
    z = logits(params, x)
    return jnp.mean(jnp.logaddexp(0.0, z) - y * z)


def update(params, x, y, learning_rate):
    """One full-batch gradient step; returns the new params and the loss."""
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    new = jax.tree_util.tree_map(lambda p, g: p - learning_rate * g, params, grads)
    return new, loss


def accuracy(params, x, y):
    """Share of points classified correctly."""
    return jnp.mean((logits(params, x) > 0) == (y > 0.5))


def main(steps: int = 3000, learning_rate: float = 0.5, hidden: int = 64, seed: int = 42):
    """Train; log the loss every step and the accuracy every 100 steps."""
    data_key, init_key = jax.random.split(jax.random.PRNGKey(seed))
    x, y = make_spirals(data_key)
    params = init_params(init_key, hidden)
    step = jax.jit(update)
    evaluate = jax.jit(accuracy)
    for i in range(steps):
        params, loss = step(params, x, y, learning_rate)
        log(step=i, loss=loss, total_steps=steps)
        if i % 100 == 0:
            log(step=i, accuracy=evaluate(params, x, y))
        if i % 500 == 0:
            print(f"step {i}: loss {float(loss):.4f}")
    acc = float(evaluate(params, x, y))
    print(f"Final accuracy: {acc:.4f}")
