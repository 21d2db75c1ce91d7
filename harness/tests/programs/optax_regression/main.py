"""Plain JAX and Optax: a chained optimizer and a schedule built at module level."""

import jax
import jax.numpy as jnp
import optax

schedule = optax.exponential_decay(init_value=0.1, transition_steps=10, decay_rate=0.9)
optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(schedule))
key = jax.random.PRNGKey(0)
key, data_key = jax.random.split(key)
X = jax.random.normal(data_key, (100, 2))
TRUE_W = jnp.array([2.0, -1.0])
Y = X @ TRUE_W + 0.3


def predict(params, x):
    return x @ params["w"] + params["b"]


def mse(params, x, y):
    return jnp.mean((predict(params, x) - y) ** 2)


@jax.jit
def step(params, opt_state):
    loss, grads = jax.value_and_grad(mse)(params, X, Y)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss


def main(steps=200):
    params = {"w": jnp.zeros(2), "b": 0.0}
    opt_state = optimizer.init(params)
    for _ in range(steps):
        params, opt_state, loss = step(params, opt_state)
    print("w =", [round(float(v), 2) for v in params["w"]])
    print(f"Final loss: {float(loss):.5f}")
