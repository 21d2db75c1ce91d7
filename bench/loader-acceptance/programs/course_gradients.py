"""Course notebook turned script: gradients, Jacobians and vmap."""

import jax.numpy as jnp
from jax import grad, jacfwd, jacrev, vmap


def f(x):
    return jnp.sin(x) * x**2


df = grad(f)
print("f'(1.0) =", df(1.0))
print("second derivative:", grad(grad(f))(1.0))
g = lambda v: jnp.array([v[0] * v[1], jnp.sin(v[0])])
print("jacfwd:", jacfwd(g)(jnp.array([1.0, 2.0])))
print("jacrev:", jacrev(g)(jnp.array([1.0, 2.0])))
batched = vmap(df)(jnp.linspace(0, 1, 4))
print("vmapped:", batched)
