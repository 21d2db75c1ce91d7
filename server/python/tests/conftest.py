"""The tests import the package from src/ (no install needed); the harness's
jax_names comes from the installed jaxlab_harness."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
