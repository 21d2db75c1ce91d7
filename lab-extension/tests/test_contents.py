"""The notebooks' contents manager lists a folder whose file is renamed
while it is read."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from jaxlab_lab_extension.contents import ContentsManager
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web


def renaming_while_listing(base: type, root: Path) -> AsyncLargeFileManager:
    """A manager of `root` whose Untitled.ipynb is renamed to bound.ipynb
    after the folder's names were read and before that entry's model is."""

    class Renaming(base):
        async def get(self, path, content=True, type=None, format=None, require_hash=False):
            if path.lstrip("/") == "Untitled.ipynb" and (root / "Untitled.ipynb").exists():
                (root / "Untitled.ipynb").rename(root / "bound.ipynb")
            return await super().get(path, content, type, format, require_hash)

    return Renaming(root_dir=str(root))


def names(model: dict) -> list[str]:
    return sorted(entry["name"] for entry in model["content"])


@pytest.fixture
def root(tmp_path: Path) -> Path:
    notebook = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    (tmp_path / "Untitled.ipynb").write_text(notebook)
    (tmp_path / "notes.txt").write_text("kept")
    return tmp_path


def test_jupyter_servers_own_listing_fails_when_a_file_is_renamed_meanwhile(root: Path) -> None:
    manager = renaming_while_listing(AsyncLargeFileManager, root)
    with pytest.raises(web.HTTPError) as failure:
        asyncio.run(manager.get(""))
    assert failure.value.status_code == 404


def test_lists_the_folder_as_it_is_after_the_rename(root: Path) -> None:
    manager = renaming_while_listing(ContentsManager, root)
    assert names(asyncio.run(manager.get(""))) == ["bound.ipynb", "notes.txt"]


def test_a_missing_folder_is_still_not_found(root: Path) -> None:
    with pytest.raises(web.HTTPError) as failure:
        asyncio.run(ContentsManager(root_dir=str(root)).get("no-such-folder"))
    assert failure.value.status_code == 404
