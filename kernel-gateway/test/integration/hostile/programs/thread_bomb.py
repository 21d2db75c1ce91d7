# Attack: thread bomb (threads are tasks and count against pids.max too).
# Contained: the pids cgroup refuses new threads past the limit.
# Loader: ok
# Sandbox: limit=pids
import sys
import threading
import time


def main():
    threads = []
    try:
        while True:
            thread = threading.Thread(target=time.sleep, args=(30,), daemon=True)
            thread.start()
            threads.append(thread)
    except RuntimeError:
        print("CONTAINED: thread refused after", len(threads), flush=True)
        sys.exit(1)
