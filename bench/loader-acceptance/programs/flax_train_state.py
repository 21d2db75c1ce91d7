import functools
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax
from flax.training import train_state

LEARNING_RATE = 3e-3
BATCH = 32
PRNGKey = Any
tx = optax.adamw(LEARNING_RATE, weight_decay=1e-4)


class Classifier(nn.Module):
    num_classes: int = 3
    hidden: int = 32

    @nn.compact
    def __call__(self, x, train: bool = True):
        x = nn.Dense(self.hidden)(x)
        x = nn.Dropout(0.1, deterministic=not train)(x)
        return nn.Dense(self.num_classes)(nn.gelu(x))


@functools.partial(jax.jit, static_argnums=(3,))
def train_step(state, batch, dropout_key, train=True):
    x, y = batch

    def loss_fn(params):
        logits = state.apply_fn(
            {"params": params}, x, train, rngs={"dropout": dropout_key}
        )
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss


def main(num_steps: int = 20, seed: int = 0):
    key = jax.random.PRNGKey(seed)
    x = jax.random.normal(key, (BATCH, 8))
    y = jnp.argmax(x[:, :3], axis=-1)
    model = Classifier()
    params = model.init(key, x, False)["params"]
    state = train_state.TrainState.create(apply_fn=model.apply, params=params, tx=tx)
    for step in range(num_steps):
        key, dropout_key = jax.random.split(key)
        state, loss = train_step(state, (x, y), dropout_key)
    print(f"Final loss: {float(loss):.4f}")


if __name__ == "__main__":
    main()
