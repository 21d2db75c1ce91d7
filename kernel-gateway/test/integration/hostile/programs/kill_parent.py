# Attack: kill the parent (the gateway) and every process the uid may signal (kill -9 -1).
# Contained: the parent inside the PID namespace is the sandbox's own init (pid 1, immune to
# signals from inside); the gateway and other host processes are invisible and unreachable.
# Loader: ok
# Sandbox: clean
import os
import signal


def main():
    parent = os.getppid()
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    os.kill(parent, signal.SIGKILL)
    if parent != 1:
        print("ESCAPED: parent", parent, "is outside the sandbox's init")
    print("CONTAINED: still here after killing pid", parent)
