"""The notebooks' contents manager: jupyter_server's own, except that a
folder's listing does not fail when a file in it is renamed or deleted
while the folder is read.

jupyter_server lists a folder by reading its names, then each entry's model;
an entry gone in between (the first save of ``Untitled.ipynb`` saves, then
renames it, while the file browser, told of the save, lists the folder)
fails the whole listing with 404, and JupyterLab shows "Directory not
found" for the folder it is in. Reading the folder again gives the listing
after the rename. ``scripts/start-lab.mjs`` and the hub's single-user
servers set it as ``ServerApp.contents_manager_class``.
"""

from __future__ import annotations

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web

LISTING_ATTEMPTS = 3
"""Readings of a folder whose entries keep vanishing before it fails."""


class ContentsManager(AsyncLargeFileManager):
    """Lists a folder again when an entry vanished while it was read."""

    async def _dir_model(self, path, content=True):
        for attempt in range(1, LISTING_ATTEMPTS + 1):
            try:
                return await super()._dir_model(path, content)
            except web.HTTPError as error:
                vanished_entry = (
                    error.status_code == 404 and content and await self.dir_exists(path)
                )
                if not vanished_entry or attempt == LISTING_ATTEMPTS:
                    raise
                self.log.info("Listing %r again: an entry vanished while it was read", path)
        raise AssertionError("unreachable")
