"""Settings made before JAX starts: host devices and 64-bit floats."""

import os

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)


def main():
    print(f"devices={jax.device_count()}")
    print(f"dtype={jnp.ones(2).dtype}")
