"""System account names and creation (creation needs root: the test creates
one account under a temp home root and removes it)."""

import os
import pwd
import stat
import subprocess

import pytest

from jaxlab_hub.system_users import (
    ensure_system_account,
    remove_system_accounts,
    system_username,
)


def test_system_username_is_a_valid_distinct_debian_name():
    names = {system_username(n) for n in ["ada@example.com", "Ada@example.com", "a.da@example.com"]}
    assert len(names) == 3
    for name in names:
        assert name.startswith("jxl-ada-")
        assert len(name) <= 32
        assert (
            subprocess.run(["useradd", "--help"], capture_output=True, check=False).returncode == 0
        )
    long = system_username("x" * 200 + "@example.com")
    assert len(long) <= 32
    assert system_username("!!!@example.com").startswith("jxl-user-")


@pytest.mark.skipif(os.geteuid() != 0, reason="creating accounts needs root")
def test_ensure_system_account_creates_a_private_home_once(tmp_path):
    home_root = tmp_path / "homes"
    try:
        account = ensure_system_account("carol@example.com", home_root)
        entry = pwd.getpwnam(account.name)
        assert entry.pw_shell == "/usr/sbin/nologin"
        assert account.uid != 0
        for folder in (account.home, account.notebooks):
            st = folder.stat()
            assert stat.S_IMODE(st.st_mode) == 0o700
            assert (st.st_uid, st.st_gid) == (account.uid, account.gid)
        # A second start finds the same account and re-tightens its folders.
        os.chmod(account.notebooks, 0o755)
        again = ensure_system_account("carol@example.com", home_root)
        assert again == account
        assert stat.S_IMODE(account.notebooks.stat().st_mode) == 0o700
    finally:
        removed = remove_system_accounts(home_root)
    assert removed == [system_username("carol@example.com")]
    with pytest.raises(KeyError):
        pwd.getpwnam(system_username("carol@example.com"))
