"""Starting a program as an unprivileged account that must read folders
behind a parent it may not search (here: the Python under /root, mode
0700). As the kernel gateway's sandbox does: in a private mount namespace
(root only), open each folder, cover its blocking parent with an empty
tmpfs, bind the open folder back, then drop to the account."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Exposure:
    """A folder to make reachable, and its outermost unsearchable parent."""

    path: Path
    blocker: Path


def blocking_ancestor(target: Path, uid: int, gid: int) -> Path | None:
    """The outermost strict ancestor of ``target`` that ``uid``/``gid`` may
    not search, or None when every ancestor is searchable."""
    current = Path("/")
    for part in target.resolve().parts[1:-1]:
        current = current / part
        st = current.stat()
        bit = 0o100 if st.st_uid == uid else 0o010 if st.st_gid == gid else 0o001
        if not st.st_mode & bit:
            return current
    return None


def find_exposures(paths: list[Path], uid: int, gid: int) -> list[Exposure]:
    """The exposures ``uid`` needs to reach each of ``paths`` (read-only)."""
    found = []
    for path in paths:
        blocker = blocking_ancestor(path, uid, gid)
        if blocker is not None:
            found.append(Exposure(path.resolve(), blocker))
    return found


def unprivileged_command(
    argv: list[str], uid: int, gid: int, exposures: list[Exposure]
) -> list[str]:
    """``argv`` run as ``uid``/``gid`` (root only): through ``unshare`` and the
    expose script when there are exposures, then ``setpriv`` with no
    capabilities and ``no_new_privs``. Every step execs, so the pid stays."""
    setpriv = [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={gid}",
        "--init-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]
    if not exposures:
        return setpriv + argv
    lines = ["set -e"]
    for i, exposure in enumerate(exposures):
        lines.append(f"exec {5 + i}<{shlex.quote(str(exposure.path))}")
    for blocker in sorted({e.blocker for e in exposures}, key=lambda p: len(str(p))):
        lines.append(
            "mount -t tmpfs -o mode=0755,size=1m,nosuid,nodev jaxlab-expose "
            + shlex.quote(str(blocker))
        )
    for i, exposure in enumerate(exposures):
        target = shlex.quote(str(exposure.path))
        lines.append(f"mkdir -p {target}")
        lines.append(f"mount --no-canonicalize --bind -o ro /proc/self/fd/{5 + i} {target}")
    lines.append("exec " + " ".join(f"{5 + i}<&-" for i in range(len(exposures))))
    lines.append('exec "$@"')
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--",
        "/bin/sh",
        "-c",
        "\n".join(lines),
        "jaxlab-expose",
        *setpriv,
        *argv,
    ]


def python_home(venv: Path) -> Path:
    """The prefix of the Python installation ``venv`` is built on."""
    for line in (venv / "pyvenv.cfg").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "home":
            return Path(os.path.realpath(Path(value.strip()).parent))
    raise ValueError(f'No "home" in {venv}/pyvenv.cfg')
