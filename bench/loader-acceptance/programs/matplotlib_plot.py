import jax.numpy as jnp
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

xs = jnp.linspace(-3, 3, 100)
plt.plot(xs, jnp.tanh(xs), label="tanh")
plt.legend()
plt.savefig("tanh.png")
print("saved")
