"""JAX TPU Lab's restricted Jupyter kernel.

main.py and its modules are checked before anything runs (:func:`load_definitions`), a cell may only
call a designated function with literal arguments (:func:`parse_call`), output
is captured at the file-descriptor level (:class:`FdCapture`) and every call
publishes its metrics (:class:`MetricsRecorder`).
"""

__version__ = "0.1.0"

METRICS_MIME_TYPE = "application/vnd.jaxlab.metrics+json"
"""Mime type of the metrics display_data published after each call."""

STEP_METRICS_MIME_TYPE = "application/vnd.jaxlab.step-metrics+json"
"""Mime type of the display_data (then update_display_data) carrying each
batch of step metrics while a call runs."""

KERNEL_SPEC_NAME = "jaxlab"
"""Name of the restricted kernel's spec."""

KERNEL_DISPLAY_NAME = "JAX (restricted)"
"""Display name of the restricted kernel's spec."""

DEFAULT_DESIGNATED_FUNCTIONS = ("main", "train_step")
"""Functions a cell may call when the project names none."""

__all__ = [
    "DEFAULT_DESIGNATED_FUNCTIONS",
    "KERNEL_DISPLAY_NAME",
    "KERNEL_SPEC_NAME",
    "METRICS_MIME_TYPE",
    "STEP_METRICS_MIME_TYPE",
    "__version__",
]
