import haiku as hk
import jax
import jax.numpy as jnp


def mlp(x):
    return hk.nets.MLP([16, 16, 2])(x)


f = hk.transform(mlp)
rng = jax.random.PRNGKey(0)
x = jnp.ones((4, 3))
params = f.init(rng, x)
y = f.apply(params, rng, x)
print("params:", jax.tree_util.tree_map(lambda a: a.shape, params))
print("output:", y.shape)
