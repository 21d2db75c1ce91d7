"""Throughput of a jit-compiled matrix multiply, in TFLOP/s."""

import time

import jax
import jax.numpy as jnp

SIZE = 1024
REPEATS = 20


def matmul(a, b):
    """The measured operation."""
    return a @ b


def main():
    """Time REPEATS multiplies and print `Final tflops: ...`."""
    key_a, key_b = jax.random.split(jax.random.PRNGKey(0))
    a = jax.random.normal(key_a, (SIZE, SIZE), dtype=jnp.float32)
    b = jax.random.normal(key_b, (SIZE, SIZE), dtype=jnp.float32)
    f = jax.jit(matmul)
    start = time.perf_counter()
    f(a, b).block_until_ready()
    print(f"compile + first call: {time.perf_counter() - start:.3f} s")
    start = time.perf_counter()
    for _ in range(REPEATS):
        out = f(a, b)
    out.block_until_ready()
    elapsed = time.perf_counter() - start
    tflops = 2 * SIZE**3 * REPEATS / elapsed / 1e12
    print(f"device: {jax.devices()[0].platform}, {SIZE}x{SIZE} float32")
    print(f"Final tflops: {tflops:.4f}")
