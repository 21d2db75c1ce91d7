# Attack: double-fork a daemon (new session, reparented) that should outlive the kernel.
# Contained: the daemon stays in the kernel's cgroup and PID namespace and dies at teardown.
# Loader: ok
# Sandbox: dispose
import os
import signal
import time


def main():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            while True:
                time.sleep(1)
        os._exit(0)
    print("READY", flush=True)
    while True:
        time.sleep(1)
