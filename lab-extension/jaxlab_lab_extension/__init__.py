"""Python install package of the JAX TPU Lab JupyterLab extension.

Installing it puts the prebuilt extension where JupyterLab finds it
(share/jupyter/labextensions/@jaxlab/lab-extension).
"""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@jaxlab/lab-extension"}]
