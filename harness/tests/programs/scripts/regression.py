#!/usr/bin/env python
"""Linear regression in plain JAX, written as a script."""
import jax
import jax.numpy as jnp

# Data: y = 1 * x0 + 2 * x1
key = jax.random.PRNGKey(0)
X = jax.random.normal(key, (50, 2))
y = X @ jnp.array([1.0, 2.0])


def loss(w):
    return jnp.mean((X @ w - y) ** 2)


w = jnp.zeros(2)
learning_rate = 0.1
grad = jax.jit(jax.grad(loss))
for step in range(100):
    w = w - learning_rate * grad(w)
    if step % 25 == 0:
        print(f"step {step}: loss {loss(w):.4f}")

report = """Weights
-------"""
print(report)
print("w =", [round(float(v), 3) for v in w])
