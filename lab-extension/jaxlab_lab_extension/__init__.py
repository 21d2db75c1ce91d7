"""Python install package of the JAX TPU Lab JupyterLab extension.

Installing it puts the prebuilt extension where JupyterLab finds it
(share/jupyter/labextensions/@jaxlab/lab-extension), and enables a small
Jupyter server extension (:mod:`.kernel_files`) through which the lab puts a
project's files into a notebook's kernel folder on the kernel gateway.
"""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@jaxlab/lab-extension"}]


def _jupyter_server_extension_points():
    return [{"module": "jaxlab_lab_extension"}]


def _load_jupyter_server_extension(server_app):
    from .kernel_files import setup_handlers

    setup_handlers(server_app.web_app)
