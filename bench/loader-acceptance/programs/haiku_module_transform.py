import haiku as hk
import jax
import jax.numpy as jnp
import optax


def forward_fn(x, is_training=True):
    net = hk.Sequential(
        [
            hk.Linear(32),
            jax.nn.relu,
            hk.Linear(32),
            jax.nn.relu,
            hk.Linear(1),
        ]
    )
    return net(x)


forward = hk.transform(forward_fn)
opt = optax.adam(1e-3)


def loss_fn(params, rng, x, y):
    pred = forward.apply(params, rng, x)
    return jnp.mean((pred - y) ** 2)


@jax.jit
def update(params, opt_state, rng, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(params, rng, x, y)
    updates, opt_state = opt.update(grads, opt_state)
    return optax.apply_updates(params, updates), opt_state, loss


def main(steps=50):
    rng = hk.PRNGSequence(42)
    x = jax.random.uniform(next(rng), (64, 1))
    y = 3 * x + 1
    params = forward.init(next(rng), x)
    opt_state = opt.init(params)
    for _ in range(steps):
        params, opt_state, loss = update(params, opt_state, next(rng), x, y)
    print("Final loss:", float(loss))


if __name__ == "__main__":
    main()
