# Attack: ctypes calls to unshare(CLONE_NEWUSER) and mount() to gain capabilities or remount things writable.
# Contained: bwrap --disable-userns forbids new user namespaces; uid 65534 has no capabilities for mount.
# Loader: ok
# Sandbox: clean
import ctypes
import ctypes.util


def main():
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
    if libc.unshare(CLONE_NEWUSER) == 0:
        print("ESCAPED: unshare(CLONE_NEWUSER)")
    if libc.unshare(CLONE_NEWNS) == 0:
        print("ESCAPED: unshare(CLONE_NEWNS)")
    MS_REMOUNT, MS_BIND = 32, 4096
    if libc.mount(b"none", b"/usr", None, MS_REMOUNT | MS_BIND, None) == 0:
        print("ESCAPED: remounted /usr")
    if libc.mount(b"tmpfs", b"/mnt", b"tmpfs", 0, None) == 0:
        print("ESCAPED: mounted tmpfs")
    print("CONTAINED")
