"""Throughput of a jit-compiled matrix multiply, in TFLOP/s."""

import time

import jax
import jax.numpy as jnp


def matmul(a, b):
    """The measured operation."""
    return a @ b


def main(size=1024, repeats=20, dtype="float32"):
    """Time `repeats` multiplies of two size x size arrays; print `Final tflops: ...`."""
    key_a, key_b = jax.random.split(jax.random.PRNGKey(0))
    a = jax.random.normal(key_a, (size, size), dtype=jnp.dtype(dtype))
    b = jax.random.normal(key_b, (size, size), dtype=jnp.dtype(dtype))
    f = jax.jit(matmul)
    start = time.perf_counter()
    f(a, b).block_until_ready()
    print(f"compile + first call: {time.perf_counter() - start:.3f} s")
    start = time.perf_counter()
    for _ in range(repeats):
        out = f(a, b)
    out.block_until_ready()
    elapsed = time.perf_counter() - start
    tflops = 2 * size**3 * repeats / elapsed / 1e12
    print(f"device: {jax.devices()[0].device_kind}, {size}x{size} {dtype}")
    print(f"Final tflops: {tflops:.4f}")
