import jax.numpy as jnp
import numpy as np

a = jnp.arange(6).reshape(2, 3)
print("a =", a.tolist())
print("sum over rows:", a.sum(axis=1).tolist())
b = np.linspace(0.0, 1.0, 3)
print("b =", b.tolist())
