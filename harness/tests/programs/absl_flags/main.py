"""An absl program: flags at module level, main(argv) reads FLAGS."""

import jax.numpy as jnp
from absl import app, flags, logging

FLAGS = flags.FLAGS
flags.DEFINE_integer("batch_size", 32, "Examples per batch.")
flags.DEFINE_float("learning_rate", 0.1, "Step size.")
flags.DEFINE_enum("optimizer", "sgd", ["sgd", "adam"], "Which optimizer.")
flags.DEFINE_bool("verbose", False, "Log every step.")


def main(argv):
    if len(argv) > 1:
        raise app.UsageError("Too many command-line arguments.")
    batch = jnp.ones((FLAGS.batch_size, 2))
    if FLAGS.verbose:
        logging.info("verbose")
    print(f"batch_size={FLAGS.batch_size} learning_rate={FLAGS.learning_rate}"
          f" optimizer={FLAGS.optimizer} rows={batch.shape[0]}")


if __name__ == "__main__":
    app.run(main)
