"""MLP on synthetic data; settings from the command line."""

import argparse
import time

import jax
import jax.numpy as jnp


def init(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [
        (jax.random.normal(k, (m, n)) / jnp.sqrt(m), jnp.zeros(n))
        for k, m, n in zip(keys, sizes[:-1], sizes[1:])
    ]


def forward(params, x):
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w + b)
    w, b = params[-1]
    return x @ w + b


@jax.jit
def update(params, x, y, lr=0.05):
    grads = jax.grad(lambda p: jnp.mean((forward(p, x) - y) ** 2))(params)
    return jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    key = jax.random.PRNGKey(0)
    x = jax.random.normal(key, (128, 4))
    y = jnp.sin(x.sum(axis=1, keepdims=True))
    params = init(key, [4, 16, 1])
    start = time.time()
    for _ in range(args.steps):
        params = update(params, x, y)
    print(
        f"loss {float(jnp.mean((forward(params, x) - y) ** 2)):.4f} in {time.time() - start:.1f}s"
    )


if __name__ == "__main__":
    main()
