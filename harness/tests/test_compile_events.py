"""Compilations, recompilation reasons and the persistent cache, as JAX reports them."""

import json
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp

from jaxlab_harness.compile_events import TIMES_FILE, CompileLog, function_name
from jaxlab_harness.metrics import MetricsRecorder
from jaxlab_harness.schemas import METRICS_SCHEMA, validate


def test_a_recompiling_function_is_listed_with_jax_s_reason(capfd) -> None:
    @jax.jit
    def train_step(x):
        return (x * 2).sum()

    recorder = MetricsRecorder()
    recorder.start()
    for rows in (31, 32, 33):
        train_step(jnp.ones((rows, 128))).block_until_ready()
    metrics = recorder.finish()
    validate(metrics, METRICS_SCHEMA)
    [entry] = metrics["recompilations"]
    assert entry["function"] == "train_step"
    assert entry["count"] == 3
    assert any("f32[32,128]" in r and "f32[31,128]" in r for r in entry["reasons"])
    # Recorded, not printed into the user's output.
    assert "TRACING CACHE MISS" not in capfd.readouterr().err


def test_a_function_compiled_once_is_not_a_recompilation() -> None:
    @jax.jit
    def once(x):
        return x + 1

    recorder = MetricsRecorder()
    recorder.start()
    once(jnp.ones(3)).block_until_ready()
    once(jnp.ones(3)).block_until_ready()
    assert "recompilations" not in recorder.finish()


def test_function_name_unwraps_jit() -> None:
    assert function_name("jit(train_step)") == "train_step"
    assert function_name("pmap(step)") == "step"
    assert function_name("plain") == "plain"


def test_a_cache_hit_counts_and_is_reckoned_from_the_function_s_last_compile() -> None:
    log = CompileLog()
    log.on_event("/jax/compilation_cache/cache_misses")
    log.on_duration("/jax/core/compile/backend_compile_duration", 2.0, "jit(step)")
    log._known.update(log._measured)  # as the next run reads them back
    log.on_event("/jax/compilation_cache/cache_hits")
    log.on_duration("/jax/core/compile/backend_compile_duration", 0.25, "jit(step)")
    metrics = log.metrics()
    assert metrics["compileCache"] == {"hits": 1, "misses": 1, "savedMs": 1750.0}
    assert metrics["compilationCount"] == 2


RUN = """
import json, jax, jax.numpy as jnp
from jaxlab_harness.metrics import MetricsRecorder

@jax.jit
def step(x):
    for _ in range(20):
        x = jnp.tanh(x @ x)
    return x

recorder = MetricsRecorder(cache_dir={cache!r})
recorder.start()
step(jnp.ones((64, 64))).block_until_ready()
print(json.dumps(recorder.finish()))
"""


def test_a_second_process_compiles_from_the_cache_and_says_what_it_saved(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    env = {
        "JAX_COMPILATION_CACHE_DIR": str(cache),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
        "JAX_PLATFORMS": "cpu",
    }

    def run() -> dict:
        out = subprocess.run(
            [sys.executable, "-I", "-c", RUN.format(cache=str(cache))],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        # JAX's cache chatter is recorded, never printed into the user's log.
        assert "persistent compilation cache" not in out.stderr.lower(), out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    first, second = run(), run()
    assert first["compileCache"]["misses"] >= 1
    assert first["compileCache"]["hits"] == 0
    assert second["compileCache"]["hits"] >= 1
    assert second["compileCache"]["savedMs"] > 0
    times = json.loads((cache / TIMES_FILE).read_text())
    assert times["step"] > 0


def test_peak_host_memory_is_reported() -> None:
    recorder = MetricsRecorder()
    recorder.start()
    metrics = recorder.finish()
    assert metrics["memory"]["peakHostBytes"] > 10 * 1024 * 1024
    # The CPU backend reports no device memory.
    assert "peakDeviceBytes" not in metrics["memory"]
