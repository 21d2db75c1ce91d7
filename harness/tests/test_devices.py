"""check_devices: JAX must see the job's platform before any user code."""

import json
import subprocess
import sys

CHECK = (
    "import json\n"
    "from jaxlab_harness.devices import DeviceUnavailable, check_devices\n"
    "try:\n"
    "    print(json.dumps({'saw': check_devices()}))\n"
    "except DeviceUnavailable as error:\n"
    "    print(json.dumps({'unavailable': str(error)}))\n"
)


def run_check(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-I", "-c", CHECK], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_no_requirement_checks_nothing() -> None:
    assert run_check({}) == {"saw": None}


def test_the_cpu_passes_with_what_jax_saw() -> None:
    result = run_check({"JAXLAB_REQUIRED_PLATFORM": "cpu", "JAX_PLATFORMS": "cpu"})
    assert result["saw"]["platform"] == "cpu"
    assert result["saw"]["count"] >= 1


def test_a_gpu_the_sandbox_cannot_see_is_unavailable_and_says_what_jax_saw() -> None:
    result = run_check({"JAXLAB_REQUIRED_PLATFORM": "gpu", "JAX_PLATFORMS": "cuda"})
    assert "unavailable" in result
    assert "JAX_PLATFORMS=cuda" in result["unavailable"]
    assert "gpu" in result["unavailable"]


def test_fewer_devices_than_asked_for_are_unavailable() -> None:
    result = run_check(
        {"JAXLAB_REQUIRED_PLATFORM": "cpu", "JAXLAB_REQUIRED_DEVICES": "4", "JAX_PLATFORMS": "cpu"}
    )
    assert "asked for 4" in result["unavailable"]


def test_a_platform_other_than_asked_is_unavailable() -> None:
    result = run_check({"JAXLAB_REQUIRED_PLATFORM": "tpu", "JAX_PLATFORMS": "cpu"})
    assert "not tpu" in result["unavailable"]
