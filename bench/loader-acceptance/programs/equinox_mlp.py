# requires: equinox
import equinox as eqx
import jax
import jax.numpy as jnp

key = jax.random.PRNGKey(0)
model_key, data_key = jax.random.split(key)


class Linear(eqx.Module):
    weight: jax.Array
    bias: jax.Array

    def __init__(self, in_size, out_size, key):
        self.weight = jax.random.normal(key, (out_size, in_size))
        self.bias = jnp.zeros(out_size)

    def __call__(self, x):
        return self.weight @ x + self.bias


@eqx.filter_jit
@eqx.filter_grad
def loss_grad(model, x, y):
    pred = jax.vmap(model)(x)
    return jnp.mean((pred - y) ** 2)


def main():
    model = Linear(2, 1, model_key)
    x = jax.random.normal(data_key, (10, 2))
    y = x.sum(axis=1, keepdims=True)
    grads = loss_grad(model, x, y)
    print(grads.weight.shape)
