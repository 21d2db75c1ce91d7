"""Haiku: transform a forward function once at module level."""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax

rng = np.random.default_rng(0)
features = jnp.asarray(rng.normal(size=(128, 4)), dtype=jnp.float32)
labels = (features.sum(axis=1) > 0).astype(jnp.int32)
opt = optax.sgd(0.5)


def forward(x):
    mlp = hk.nets.MLP([8, 2])
    return mlp(x)


network = hk.without_apply_rng(hk.transform(forward))


def loss(params, x, y):
    logits = network.apply(params, x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@jax.jit
def update(params, opt_state, x, y):
    value, grads = jax.value_and_grad(loss)(params, x, y)
    updates, opt_state = opt.update(grads, opt_state)
    return optax.apply_updates(params, updates), opt_state, value


def main(steps=30):
    params = network.init(jax.random.PRNGKey(42), features)
    opt_state = opt.init(params)
    for _ in range(steps):
        params, opt_state, value = update(params, opt_state, features, labels)
    accuracy = float((network.apply(params, features).argmax(-1) == labels).mean())
    print(f"Final loss: {float(value):.4f}")
    print(f"Final accuracy: {accuracy:.2f}")
