# requires: diffrax
import diffrax
import jax.numpy as jnp

term = diffrax.ODETerm(lambda t, y, args: -y)
solver = diffrax.Tsit5()


def main(t1=1.0):
    sol = diffrax.diffeqsolve(term, solver, t0=0.0, t1=t1, dt0=0.1, y0=jnp.array(1.0))
    print(float(sol.ys[-1]))
