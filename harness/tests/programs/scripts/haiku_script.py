import haiku as hk
import jax
import jax.numpy as jnp


def net_fn(x):
    return hk.Sequential([hk.Linear(4), jax.nn.relu, hk.Linear(1)])(x)


net = hk.without_apply_rng(hk.transform(net_fn))
x = jnp.linspace(0, 1, 16).reshape(-1, 1)
params = net.init(jax.random.PRNGKey(1), x)
print({k: tuple(v["w"].shape) for k, v in sorted(params.items())})
out = net.apply(params, x)
print("mean output:", round(float(out.mean()), 4))
