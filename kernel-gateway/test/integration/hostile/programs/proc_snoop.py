# Attack: read /proc for other processes (the gateway's command line and environment) and host info.
# Contained: a fresh procfs of the sandbox's own PID namespace shows only sandbox processes.
# Loader: ok
# Sandbox: clean
import os


def main():
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    for pid in pids:
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
        except OSError:
            continue
        if b"node" in cmdline or b"vitest" in cmdline:
            print("ESCAPED: sees", cmdline[:80])
    if len(pids) > 10:
        print("ESCAPED: sees", len(pids), "processes")
    print("CONTAINED")
