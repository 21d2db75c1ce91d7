import functools
import time

import jax.numpy as jnp


def timer(fn):
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        start = time.time()
        out = fn(*args, **kwargs)
        print(f"{fn.__name__} took {time.time() - start:.3f}s")
        return out

    return wrapped


@timer
def compute(n):
    return jnp.arange(n).sum()


def main():
    print(compute(1000))


if __name__ == "__main__":
    main()
