# requires: jaxopt
import jax.numpy as jnp
import jaxopt

A = jnp.array([[3.0, 1.0], [1.0, 2.0]])
b = jnp.array([1.0, 1.0])


def objective(x):
    return 0.5 * x @ A @ x - b @ x


solver = jaxopt.LBFGS(fun=objective, maxiter=50)


def main():
    result = solver.run(jnp.zeros(2))
    print("solution", result.params, "error", result.state.error)


if __name__ == "__main__":
    main()
