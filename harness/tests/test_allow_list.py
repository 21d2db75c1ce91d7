"""allowed_imports(): defaults, JAXLAB_EXTRA_IMPORTS and requirements.txt."""

from __future__ import annotations

from pathlib import Path

from jaxlab_harness.allow_list import (
    DEFAULT_ALLOWED_IMPORTS,
    allowed_imports,
    import_names_for,
    is_standard_library,
    requirement_imports,
    requirement_names,
)


def test_allowed_imports_should_start_from_the_defaults() -> None:
    assert allowed_imports(None, {}) == DEFAULT_ALLOWED_IMPORTS


def test_allowed_imports_should_add_valid_extra_names_from_the_environment() -> None:
    names = allowed_imports(None, {"JAXLAB_EXTRA_IMPORTS": "einops, tqdm,bad-name,,os.path"})
    assert "einops" in names
    assert "tqdm" in names
    assert "bad-name" not in names
    assert "os.path" not in names


def test_allowed_imports_should_add_requirements(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "# deps\neinops==0.8\nPyYAML>=6  # yaml\n--index-url http://x\nhttps://x/y.whl\nscikit-learn\n"
    )
    names = allowed_imports(tmp_path, {})
    assert "einops" in names
    assert "yaml" in names or "pyyaml" in names
    assert "scikit_learn" in names or "sklearn" in names


def test_requirement_names_should_skip_options_urls_and_comments() -> None:
    assert requirement_names(
        "a==1\n-r other.txt\n# c\nhttp://x\nb[extra]>=2; python_version>'3'\n"
    ) == ["a", "b"]


def test_import_names_for_should_map_distributions_to_modules() -> None:
    mapping = {"yaml": ["PyYAML"], "_yaml": ["PyYAML"], "sklearn": ["scikit-learn"]}
    assert import_names_for(["pyyaml", "Scikit_Learn", "typing-extensions"], mapping) == [
        "yaml",
        "sklearn",
        "typing_extensions",
    ]


def test_requirement_names_should_skip_requirements_whose_marker_is_false() -> None:
    text = 'os; python_version < "3"\nnumpyro; sys_platform == "nonexistent"\neinops; python_version >= "3"\nbad; ((\n'
    assert requirement_names(text) == ["einops"]


def test_requirement_imports_should_never_add_a_standard_library_name() -> None:
    mapping = {"einops": ["einops"]}
    assert requirement_imports("os\nsys==1.0\neinops\n", mapping) == ["einops"]


def test_allowed_imports_should_not_be_widened_by_a_marker_that_is_never_true(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements.txt").write_text('ctypes_helper; python_version < "3"\n')
    assert "ctypes_helper" not in allowed_imports(tmp_path, {})


def test_is_standard_library_should_know_the_standard_library() -> None:
    assert is_standard_library("os.path")
    assert is_standard_library("argparse")
    assert not is_standard_library("jax")
    assert not is_standard_library("__future__x")
