"""``python -m jaxlab_lint``: what the server's review runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def run(source: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run(
        [sys.executable, "-m", "jaxlab_lint"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )
    return json.loads(out.stdout)


def test_reads_stdin_and_writes_findings_as_json():
    answer = run("import jax\n@jax.jit\ndef f(x):\n    print(x)\n    return x\n")
    (finding,) = answer["findings"]
    assert finding["rule"] == "JAX008"
    assert (finding["line"], finding["column"]) == (4, 5)
    assert set(finding) == {"rule", "name", "line", "column", "severity", "message", "why", "fix"}


def test_answers_a_syntax_error_as_a_finding():
    assert [f["rule"] for f in run("def f(:\n")["findings"]] == ["JAX000"]


def test_lints_each_file_of_a_project_naming_it():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    files = {
        "main.py": "from models import f\n\ndef main():\n    return f(1)\n",
        "models.py": "import jax\n@jax.jit\ndef f(x):\n    print(x)\n    return x\n",
        "utils/broken.py": "def g(:\n",
    }
    out = subprocess.run(
        [sys.executable, "-m", "jaxlab_lint", "--files"],
        input=json.dumps({"files": files}),
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )
    findings = json.loads(out.stdout)["findings"]
    assert [(f["file"], f["rule"], f["line"]) for f in findings] == [
        ("models.py", "JAX008", 4),
        ("utils/broken.py", "JAX000", 1),
    ]
