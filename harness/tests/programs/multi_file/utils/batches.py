import numpy as np

rng = np.random.default_rng(0)


def make_dataset(n):
    x = rng.normal(size=(n, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32")
    return x, y
