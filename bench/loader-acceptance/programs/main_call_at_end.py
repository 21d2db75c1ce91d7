import jax
import jax.numpy as jnp


class Hyper:
    learning_rate = 0.05
    steps = 40


target = jnp.array([1.0, -2.0, 3.0])
lr = jnp.float32(Hyper.learning_rate)


def loss(x):
    return jnp.sum((x - target) ** 2)


def main():
    x = jnp.zeros(3)
    for _ in range(Hyper.steps):
        x = x - lr * jax.grad(loss)(x)
    print("x =", x.round(2))


main()
