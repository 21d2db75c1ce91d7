"""A tiny classifier."""

import jax
import jax.numpy as jnp

DEFAULT_HIDDEN = 8
LEARNING_RATE = 0.5


def init_params(key, inputs, hidden):
    k1, k2 = jax.random.split(key)
    return {
        "w1": jax.random.normal(k1, (inputs, hidden)) * 0.5,
        "w2": jax.random.normal(k2, (hidden,)) * 0.5,
    }


def predict(params, x):
    return jax.nn.sigmoid(jnp.tanh(x @ params["w1"]) @ params["w2"])


def loss(params, x, y):
    p = predict(params, x)
    return -jnp.mean(y * jnp.log(p + 1e-6) + (1 - y) * jnp.log(1 - p + 1e-6))


@jax.jit
def sgd_step(params, x, y):
    grads = jax.grad(loss)(params, x, y)
    return jax.tree_util.tree_map(lambda p, g: p - LEARNING_RATE * g, params, grads)
