import os

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"

import functools

import jax
import jax.numpy as jnp


@functools.partial(jax.pmap, axis_name="devices")
def normalize(x):
    return x / jax.lax.psum(x.sum(), "devices")


def main():
    n = jax.local_device_count()
    x = jnp.arange(n * 2, dtype=jnp.float32).reshape(n, 2) + 1
    print(n, "devices:", normalize(x).sum())


if __name__ == "__main__":
    main()
