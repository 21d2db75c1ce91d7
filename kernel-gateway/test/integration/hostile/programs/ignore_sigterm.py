# Attack: ignore SIGTERM (and SIGINT, SIGHUP) to survive shutdown.
# Contained: teardown uses SIGKILL through cgroup.kill / the PID namespace; no process is left.
# Loader: ok
# Sandbox: dispose
import signal
import time


def main():
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    print("READY", flush=True)
    while True:
        time.sleep(1)
