# requires: numpyro
import jax
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist
from numpyro.infer import MCMC, NUTS

numpyro.set_host_device_count(1)


def model(x, y=None):
    slope = numpyro.sample("slope", dist.Normal(0.0, 1.0))
    sigma = numpyro.sample("sigma", dist.Exponential(1.0))
    numpyro.sample("obs", dist.Normal(slope * x, sigma), obs=y)


def main(num_samples=200):
    x = jnp.linspace(0, 1, 50)
    y = 2.0 * x + 0.1 * jax.random.normal(jax.random.PRNGKey(1), (50,))
    mcmc = MCMC(
        NUTS(model), num_warmup=100, num_samples=num_samples, progress_bar=False
    )
    mcmc.run(jax.random.PRNGKey(0), x, y)
    print("slope", float(mcmc.get_samples()["slope"].mean()))
