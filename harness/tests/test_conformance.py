"""jupyter_kernel_test against the installed ``jaxlab`` kernel spec.

The spec is installed into a temporary prefix with
``python -m jaxlab_harness install-kernelspec --prefix`` and found through
JUPYTER_PATH; main.py in a temporary work folder provides the designated
functions the samples call.

Left out by design of a restricted kernel: history (no history is kept),
the pager (no payloads; inspect_request serves signatures), clear_output
(designated functions cannot reach the display machinery), and the iopub
welcome message (ipykernel 7 does not send it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import jupyter_kernel_test

from jaxlab_harness import METRICS_MIME_TYPE

MAIN = '''
import sys


def main():
    """The usual entry point."""
    return {"answer": 42}


def hello():
    print("hello, world")


def shout():
    print("to stderr", file=sys.stderr)


def answer():
    return 42
'''


class JaxLabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "jaxlab"
    language_name = "python"
    file_extension = ".py"

    code_hello_world = "hello()"
    code_stderr = "shout()"
    code_generate_error = "import os"
    code_execute_result = [
        {"code": "answer()", "result": "42"},
        {"code": "main()", "result": "{'answer': 42}"},
    ]
    code_display_data = [{"code": "main()", "mime": METRICS_MIME_TYPE}]
    completion_samples = [
        {"text": "ma", "matches": {"main"}},
        {"text": "he", "matches": {"hello"}},
        {"text": "answer(1); sh", "matches": {"shout"}},
    ]
    complete_code_samples = ["main()", "answer(1, x=2)", "", "# comment"]
    incomplete_code_samples = ["main(", "answer(1,\n", "main(steps=[1,"]
    invalid_code_samples = ["main())", "answer(]"]
    code_inspect_sample = "main"

    _prefix: str
    _workdir: str
    _saved_env: dict[str, str | None]

    @classmethod
    def setUpClass(cls) -> None:
        cls._prefix = tempfile.mkdtemp(prefix="jxp-", dir="/tmp")
        cls._workdir = tempfile.mkdtemp(prefix="jxw-", dir="/tmp")
        Path(cls._workdir, "main.py").write_text(MAIN)
        subprocess.run(
            [sys.executable, "-m", "jaxlab_harness", "install-kernelspec", "--prefix", cls._prefix],
            check=True,
            capture_output=True,
        )
        env = {
            "JUPYTER_PATH": str(Path(cls._prefix, "share", "jupyter")),
            "JAXLAB_WORKDIR": cls._workdir,
            "JAXLAB_DESIGNATED_FUNCTIONS": "main,train_step,hello,shout,answer",
            "JAXLAB_EXTRA_IMPORTS": "sys",
        }
        cls._saved_env = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            super().tearDownClass()
        finally:
            for key, value in cls._saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            shutil.rmtree(cls._prefix, ignore_errors=True)
            shutil.rmtree(cls._workdir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
