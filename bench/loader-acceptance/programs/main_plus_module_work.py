import jax.numpy as jnp
import numpy as np


def make_dataset(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    return x, x.sum(axis=1)


train_x, train_y = make_dataset(256)
test_x, test_y = make_dataset(64, seed=1)
print("train", train_x.shape, "test", test_x.shape)


def main():
    w = jnp.linalg.lstsq(train_x, train_y)[0]
    err = jnp.abs(test_x @ w - test_y).max()
    print("max error below 1e-4:", bool(err < 1e-4))


if __name__ == "__main__":
    main()
