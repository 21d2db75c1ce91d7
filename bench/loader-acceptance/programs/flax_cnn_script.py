import flax.linen as nn
import jax
import optax


class CNN(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = nn.Conv(features=8, kernel_size=(3, 3))(x)
        x = nn.relu(x)
        x = nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))
        x = x.reshape((x.shape[0], -1))
        return nn.Dense(features=10)(x)


key = jax.random.PRNGKey(0)
images = jax.random.normal(key, (16, 8, 8, 1))
labels = jax.random.randint(key, (16,), 0, 10)
cnn = CNN()
params = cnn.init(key, images)["params"]
tx = optax.sgd(0.05, momentum=0.9)
opt_state = tx.init(params)


@jax.jit
def step(params, opt_state):
    def loss_fn(params):
        logits = cnn.apply({"params": params}, images)
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    loss, grads = jax.value_and_grad(loss_fn)(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss


for epoch in range(5):
    params, opt_state, loss = step(params, opt_state)
    print(f"epoch {epoch}: loss {loss:.3f}")
