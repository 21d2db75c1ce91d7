import os
from collections.abc import Sequence

import jax
import max_utils
import pyconfig
from absl import app
from layers import models

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"


def main(argv: Sequence[str]) -> None:
    jax.config.update("jax_default_prng_impl", "unsafe_rbg")
    config = pyconfig.initialize(argv)
    max_utils.print_system_information()
    print(models.Transformer(config))


if __name__ == "__main__":
    app.run(main)
