import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
from jax import lax


def newton_sqrt(a, iters=20):
    def body(_, x):
        return 0.5 * (x + a / x)

    return lax.fori_loop(0, iters, body, a)


def main():
    value = newton_sqrt(jnp.float64(2.0))
    print(value.dtype, f"{float(value):.15f}")


if __name__ == "__main__":
    main()
