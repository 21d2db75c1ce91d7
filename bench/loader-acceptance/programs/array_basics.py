import jax
import jax.numpy as jnp
import numpy as np

x = jnp.arange(10)
print(x)
print(jnp.dot(x, x))
print(jax.devices()[0].platform)
key = jax.random.PRNGKey(42)
print(jax.random.uniform(key, (3,)).shape)
y = np.asarray(x) * 2
print(y.sum())
