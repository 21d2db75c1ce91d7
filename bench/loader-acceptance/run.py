"""Loader acceptance: how many JAX programs, written the way they are
published, the restricted kernel takes as they are, and after Make it
runnable; whether those that load run main() to completion on the CPU; and
whether a rewritten script's main() prints what ``python main.py`` printed.

The programs in programs/ were written for this benchmark in the styles of
published JAX code (plain JAX, Flax, Haiku, Optax, absl, jaxopt, NumPyro,
Equinox, Keras on JAX, Diffrax, MaxText-like trainers, course notebooks). A
``# requires: a, b`` line is the program's requirements.txt; ``# needs:
download`` marks one that fetches data. The peer is the loader as it was
before issue 11 (git commit BEFORE), run on the same programs in the same run.

Usage: .venv/bin/python bench/loader-acceptance/run.py [--no-run]
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from jaxlab_harness.allow_list import (
    DEFAULT_ALLOWED_IMPORTS,
    is_standard_library,
    requirement_imports,
)
from jaxlab_harness.project import load_project
from jaxlab_harness.runnable import make_runnable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BEFORE = "5dba4e3"
"""The last commit of main before the loader of issue 11."""

RUN_MAIN = (
    "import sys\n"
    "from jaxlab_harness.absl_calls import absl_arguments\n"
    "from jaxlab_harness.allow_list import DEFAULT_ALLOWED_IMPORTS\n"
    "from jaxlab_harness.program import Program, read_project_files\n"
    "program = Program(read_project_files('.'), '.', allowed_imports=[*DEFAULT_ALLOWED_IMPORTS,"
    " *sys.argv[1:]], designated=['main'])\n"
    "main = program.execute()['main']\n"
    "args, kwargs = absl_arguments(main, (), {}, program.module_names) or ((), {})\n"
    "main(*args, **kwargs)\n"
)
"""Runs main() of the program in the current folder as the kernel does (a
cell ``main()``)."""


def header(text: str, key: str) -> list[str]:
    found = re.search(rf"^# {key}: (.+)$", text, re.MULTILINE)
    return [n.strip() for n in found.group(1).split(",")] if found else []


def ours(text: str, allowed: list[str]) -> tuple[bool, bool]:
    result = load_project(
        {"main.py": text}, allowed_imports=allowed, designated=["main"]
    )
    return result.ok, result.ok and "main" in result.main.functions


def peer_loader():
    """load_definitions of the loader before issue 11, or None."""
    folder = Path(tempfile.mkdtemp(prefix="loader-before-")) / "jaxlab_harness_before"
    folder.mkdir()
    for name in ("__init__", "loader", "literals", "allow_list"):
        done = subprocess.run(
            ["git", "show", f"{BEFORE}:harness/src/jaxlab_harness/{name}.py"],
            cwd=ROOT,
            capture_output=True,
            check=False,
            text=True,
        )
        if done.returncode != 0:
            return None
        (folder / f"{name}.py").write_text(done.stdout)
    sys.path.insert(0, str(folder.parent))
    module = importlib.import_module("jaxlab_harness_before.loader")
    defaults = importlib.import_module(
        "jaxlab_harness_before.allow_list"
    ).DEFAULT_ALLOWED_IMPORTS
    return lambda text, requirements: (
        module.load_definitions(text, allowed_imports=[*defaults, *requirements]).ok
    )


def installed(text: str) -> bool:
    tree = ast.parse(text)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if not is_standard_library(top) and importlib.util.find_spec(top) is None:
                return False
    return True


def run_in_folder(text: str, command: list[str]) -> str | None:
    """stdout of ``command`` run beside ``text`` saved as main.py, or None
    when it failed or took too long."""
    with tempfile.TemporaryDirectory(prefix="acceptance-") as folder:
        Path(folder, "main.py").write_text(text)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        try:
            done = subprocess.run(
                command,
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None
        return done.stdout if done.returncode == 0 else None


def without_timings(output: str | None) -> str:
    """``output`` with wall-clock durations ("took 0.286s") made equal."""
    return re.sub(r"\d+(?:\.\d+)?\s?(?:ms|s)\b", "<duration>", output or "")


def runs(text: str, allowed: list[str]) -> str | None:
    """What main() printed when run as the kernel runs it, or None."""
    return run_in_folder(text, [sys.executable, "-c", RUN_MAIN, *allowed])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-run", action="store_true", help="only load, do not run main()"
    )
    options = parser.parse_args()
    peer = peer_loader()
    rows = []
    for path in sorted((HERE / "programs").glob("*.py")):
        text = path.read_text()
        requirements = header(text, "requires")
        allowed = [
            *DEFAULT_ALLOWED_IMPORTS,
            *requirement_imports("\n".join(requirements)),
        ]
        loads, has_main = ours(text, allowed)
        rewritten = text if has_main else make_runnable(text).source
        _, has_main_after = ours(rewritten, allowed)
        eligible = (
            has_main_after
            and "download" not in header(text, "needs")
            and installed(text)
        )
        output = None if options.no_run or not eligible else runs(rewritten, allowed)
        ran = None if options.no_run or not eligible else output is not None
        same = None
        if ran and not has_main:  # rewritten: does main() print what the script did?
            script = run_in_folder(text, [sys.executable, "main.py"])
            same = script is not None and without_timings(script) == without_timings(
                output
            )
        before = (
            None
            if peer is None
            else peer(text, [r.replace("-", "_") for r in requirements])
        )
        rows.append(
            (path.stem, before, loads, has_main, has_main_after, eligible, ran, same)
        )
    print(
        f"{'program':32} {'before':>6} {'loads':>6} {'main()':>6} {'runnable':>9}"
        f" {'ran':>5} {'same':>5}"
    )
    mark = {True: "yes", False: "no", None: "-"}
    for name, before, loads, has_main, after, _, ran, same in rows:
        print(
            f"{name:32} {mark[before]:>6} {mark[loads]:>6} {mark[has_main]:>6}"
            f" {mark[after]:>9} {mark[ran]:>5} {mark[same]:>5}"
        )
    total = len(rows)

    def share(count: int, of: int = total) -> str:
        return f"{count}/{of} ({100 * count / of:.0f}%)" if of else "0/0"

    loads = sum(r[2] for r in rows)
    print()
    print(f"programs: {total}")
    if peer is not None:
        before = sum(bool(r[1]) for r in rows)
        ratio = f"{loads / before:.1f}x" if before else "n/a"
        print(f"load unmodified, before issue 11 ({BEFORE}): {share(before)}")
        print(f"load unmodified, now: {share(loads)}  (ratio {ratio})")
    else:
        print(
            f"load unmodified, now: {share(loads)}  (peer unavailable: no git history)"
        )
    print(
        f"load with a main() a cell can call, unmodified: {share(sum(r[3] for r in rows))}"
    )
    print(
        f"load with a main() after Make it runnable: {share(sum(r[4] for r in rows))}"
    )
    if not options.no_run:
        eligible = [r for r in rows if r[5]]
        print(
            "of those, installed here and needing no download, main() ran to completion:"
            f" {share(sum(bool(r[6]) for r in eligible), len(eligible))}"
        )
        rewritten = [r for r in rows if r[7] is not None]
        print(
            "rewritten and run: main() printed what `python main.py` printed:"
            f" {share(sum(bool(r[7]) for r in rewritten), len(rewritten))}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
