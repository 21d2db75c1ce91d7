"""System accounts of lab users, created on first sign-in as The Littlest
JupyterHub's user-creating spawner does: one unprivileged account per hub
user, a home folder and a notebooks folder only that account can open."""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

#: Prefix of every system account the lab creates.
ACCOUNT_PREFIX = "jxl-"
#: Name of the notebooks folder inside a user's home.
NOTEBOOKS = "notebooks"


@dataclass(frozen=True)
class SystemAccount:
    """A user's system account, as the operating system knows it."""

    name: str
    uid: int
    gid: int
    home: Path

    @property
    def notebooks(self) -> Path:
        """The folder the user's JupyterLab opens (mode 0700)."""
        return self.home / NOTEBOOKS


def system_username(hub_name: str) -> str:
    """The system account name of hub user ``hub_name`` (an email address).

    ``jxl-`` + up to 16 letters and digits of the name + ``-`` + 6 hex
    digits of its SHA-256, so two names that sanitise alike still differ
    and the result is a valid Debian user name (at most 32 characters).
    """
    local = hub_name.split("@", 1)[0].lower()
    readable = re.sub(r"[^a-z0-9]", "", local)[:16] or "user"
    digest = hashlib.sha256(hub_name.encode("utf-8")).hexdigest()[:6]
    return f"{ACCOUNT_PREFIX}{readable}-{digest}"


def ensure_system_account(hub_name: str, home_root: Path) -> SystemAccount:
    """Finds or creates the system account of ``hub_name``.

    A new account gets no login shell, its own group, and a home under
    ``home_root``; home and notebooks folder are (re)set to mode 0700 and
    owned by the account every time, so another account cannot read them.

    Raises ``subprocess.CalledProcessError`` when ``useradd`` fails.
    """
    name = system_username(hub_name)
    home = home_root / name
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        home_root.mkdir(parents=True, exist_ok=True)
        os.chmod(home_root, 0o755)
        _useradd(name, home, hub_name)
        entry = pwd.getpwnam(name)
    account = SystemAccount(name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))
    for folder in (account.home, account.notebooks):
        folder.mkdir(exist_ok=True)
        if folder.is_symlink():
            raise RuntimeError(f"{folder} is a symbolic link; refusing to use it")
        os.lchown(folder, account.uid, account.gid)
        os.chmod(folder, 0o700)
    return account


def remove_system_accounts(home_root: Path) -> list[str]:
    """Removes every lab account whose home is under ``home_root`` (and the
    home). For tests and for taking a lab down; returns the names removed."""
    removed = []
    for entry in pwd.getpwall():
        home = Path(entry.pw_dir)
        if entry.pw_name.startswith(ACCOUNT_PREFIX) and home_root in home.parents:
            subprocess.run(["pkill", "-KILL", "-u", entry.pw_name], check=False)
            _retry_locked(["userdel", "--remove", entry.pw_name], ok_codes=(0, 6, 12))
            removed.append(entry.pw_name)
    return removed


def _useradd(name: str, home: Path, hub_name: str) -> None:
    comment = re.sub(r"[^\w@. -]", "", f"JAX TPU Lab {hub_name}")[:64]
    _retry_locked(
        [
            "useradd",
            "--home-dir",
            str(home),
            "--create-home",
            "--shell",
            "/usr/sbin/nologin",
            "--user-group",
            "--comment",
            comment,
            name,
        ]
    )


def _retry_locked(argv: list[str], ok_codes: tuple[int, ...] = (0,)) -> None:
    # useradd/userdel exit 10 while another one holds /etc/passwd's lock.
    for attempt in range(20):
        run = subprocess.run(argv, capture_output=True, text=True, check=False)
        if run.returncode in ok_codes:
            return
        if run.returncode != 10 or attempt == 19:
            raise subprocess.CalledProcessError(run.returncode, argv, run.stdout, run.stderr)
        time.sleep(0.1)
