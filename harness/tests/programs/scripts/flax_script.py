import flax.linen as nn
import jax
import jax.numpy as jnp
import optax


class CNN(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = nn.Conv(features=4, kernel_size=(3, 3))(x)
        x = nn.relu(x)
        x = x.reshape((x.shape[0], -1))
        return nn.Dense(features=2)(x)


rng = jax.random.PRNGKey(0)
images = jax.random.normal(rng, (8, 6, 6, 1))
labels = jnp.array([0, 1] * 4)
model = CNN()
params = model.init(rng, images)["params"]
tx = optax.adam(1e-2)
opt_state = tx.init(params)


@jax.jit
def train_step(params, opt_state):
    def loss_fn(p):
        logits = model.apply({"params": p}, images)
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    loss, grads = jax.value_and_grad(loss_fn)(params)
    updates, opt_state = tx.update(grads, opt_state)
    return optax.apply_updates(params, updates), opt_state, loss


for epoch in range(3):
    params, opt_state, loss = train_step(params, opt_state)
    print("epoch", epoch, "loss", round(float(loss), 3))
