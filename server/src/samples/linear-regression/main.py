"""Linear regression fitted with jax.grad and a jit-compiled update."""

import jax
import jax.numpy as jnp
from jaxlab import log

NUM_SAMPLES = 512
NUM_FEATURES = 4


def make_data(key):
    """Noisy samples of y = x @ w_true + b_true."""
    key_x, key_w, key_noise = jax.random.split(key, 3)
    x = jax.random.normal(key_x, (NUM_SAMPLES, NUM_FEATURES))
    w_true = jax.random.normal(key_w, (NUM_FEATURES,))
    b_true = 0.5
    noise = 0.01 * jax.random.normal(key_noise, (NUM_SAMPLES,))
    return x, x @ w_true + b_true + noise, w_true


def loss_fn(params, x, y):
    """Mean squared error of the linear model."""
    w, b = params
    return jnp.mean((x @ w + b - y) ** 2)


def update(params, x, y, learning_rate):
    """One gradient-descent step; returns the new params and the loss before it."""
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    new = jax.tree_util.tree_map(lambda p, g: p - learning_rate * g, params, grads)
    return new, loss


def main(steps: int = 300, learning_rate: float = 0.1):
    """Train, log the loss every step and print `Final loss: ...`."""
    x, y, w_true = make_data(jax.random.PRNGKey(0))
    params = (jnp.zeros(NUM_FEATURES), jnp.array(0.0))
    step = jax.jit(update)
    for i in range(steps):
        params, loss = step(params, x, y, learning_rate)
        log(step=i, loss=loss, total_steps=steps)
        if i % 100 == 0:
            print(f"step {i}: loss {float(loss):.6f}")
    loss = float(loss_fn(params, x, y))
    print(f"true w: {w_true}")
    print(f"fit  w: {params[0]}, b: {float(params[1]):.4f}")
    print(f"Final loss: {loss:.6f}")
