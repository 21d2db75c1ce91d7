# Attack: fork bomb.
# Contained: the pids cgroup (pids.max) refuses forks past the limit; the sandbox is torn down.
# Loader: ok
# Sandbox: limit=pids
import os
import sys
import time


def main():
    try:
        while True:
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
    except OSError:
        print("CONTAINED: fork refused", flush=True)
        sys.exit(1)
