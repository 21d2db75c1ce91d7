"""Trains a linear model; run with --num_epochs=5."""

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_integer("num_epochs", 3, "Number of epochs.")
flags.DEFINE_float("learning_rate", 0.1, "Learning rate.")
flags.DEFINE_string("workdir", "/tmp/linear", "Where to write results.")


def train(num_epochs, learning_rate):
    rng = np.random.RandomState(0)
    x = jnp.asarray(rng.randn(64, 3))
    y = x @ jnp.array([0.5, -1.0, 2.0])
    w = jnp.zeros(3)
    loss = lambda w: jnp.mean((x @ w - y) ** 2)
    for epoch in range(num_epochs):
        w = w - learning_rate * jax.grad(loss)(w)
        logging.info("epoch %d loss %.4f", epoch, loss(w))
    return float(loss(w))


def main(argv):
    if len(argv) > 1:
        raise app.UsageError("Too many command-line arguments.")
    print("final loss", train(FLAGS.num_epochs, FLAGS.learning_rate))


if __name__ == "__main__":
    app.run(main)
