import jax
import jax.numpy as jnp
import optax

WARMUP = 10
TOTAL = 60
schedule = optax.warmup_cosine_decay_schedule(0.0, 0.1, WARMUP, TOTAL)
optimizer = optax.chain(
    optax.clip_by_global_norm(1.0), optax.sgd(schedule, momentum=0.9)
)


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def main(steps=TOTAL):
    params = jnp.array([-1.0, 1.0])
    state = optimizer.init(params)
    for i in range(steps):
        grads = jax.grad(rosenbrock)(params)
        updates, state = optimizer.update(grads, state, params)
        params = optax.apply_updates(params, updates)
        if i % 20 == 0:
            print(i, float(schedule(i)), float(rosenbrock(params)))
    print("Final value:", float(rosenbrock(params)))
