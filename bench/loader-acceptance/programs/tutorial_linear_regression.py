# Linear regression with JAX: the tutorial version.
import jax
import jax.numpy as jnp
import numpy as np

np.random.seed(0)
xs = np.random.normal(size=(100,))
noise = np.random.normal(scale=0.1, size=(100,))
ys = xs * 3 - 1 + noise


def model(theta, x):
    w, b = theta
    return w * x + b


def loss_fn(theta, x, y):
    return jnp.mean((model(theta, x) - y) ** 2)


@jax.jit
def update(theta, x, y, lr=0.1):
    return theta - lr * jax.grad(loss_fn)(theta, x, y)


theta = jnp.array([1.0, 1.0])
for _ in range(1000):
    theta = update(theta, xs, ys)

w, b = theta
print(f"w: {w:<.2f}, b: {b:<.2f}")
