# Attack: read secrets from the environment (the gateway's own variables).
# Contained: bwrap --clearenv; only HOME, PATH, LANG, JAXLAB_* of the kernel and KERNEL_* are set.
# Loader: ok
# Sandbox: clean
import os


def main():
    for name, value in os.environ.items():
        if "SECRET" in name or "hunter2" in value or name.startswith(("AWS_", "GOOGLE_", "MONGO")):
            print("ESCAPED: env", name)
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if b"hunter2" in open(f"/proc/{pid}/environ", "rb").read():
                    print("ESCAPED: environ of", pid)
            except OSError:
                pass
    print("CONTAINED")
