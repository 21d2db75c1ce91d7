import jax
import jax.numpy as jnp
import optax
from input_pipeline import create_split
from models import ResNet18

LEARNING_RATE = 0.1


def main():
    model = ResNet18(num_classes=10)
    ds = create_split("train", batch_size=128)
    variables = model.init(jax.random.PRNGKey(0), jnp.ones((1, 32, 32, 3)))
    tx = optax.sgd(LEARNING_RATE)
    print(type(ds), type(variables), tx)


if __name__ == "__main__":
    main()
