import functools

import jax.numpy as jnp

calls = []


def timer(fn):
    @functools.wraps(fn)
    def wrapped(*args):
        calls.append(fn.__name__)
        return fn(*args)

    return wrapped


@timer
def total(n):
    return int(jnp.arange(n).sum())


def main(n=10):
    print("total", total(n), "calls", calls)


if __name__ == "__main__":
    main()
    main(4)
