"""The JAX TPU Lab API a designated function may use.

``from jaxlab import log`` and call ``log(step=i, loss=loss)`` in the
training loop: the lab charts each name live, with progress, rate and ETA
when ``total_steps=N`` is given once. JAX arrays are accepted and fetched
from the device in batches, so the loop never waits for them. Outside a
lab run, ``log`` does nothing.
"""

from jaxlab_harness.step_metrics import log

__all__ = ["log"]
