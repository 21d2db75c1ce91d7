import time

import jax
import jax.numpy as jnp


def selu(x, alpha=1.67, lmbda=1.05):
    return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)


x = jax.random.normal(jax.random.PRNGKey(0), (100_000,))
selu_jit = jax.jit(selu)
selu_jit(x).block_until_ready()

for name, fn in [("eager", selu), ("jit", selu_jit)]:
    start = time.perf_counter()
    for _ in range(10):
        fn(x).block_until_ready()
    print(name, "ran")
