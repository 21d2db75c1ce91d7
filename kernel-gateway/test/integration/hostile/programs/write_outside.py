# Attack: write outside the job folder (system folders, the venv, the Python installation, /).
# Contained: everything but the job folder and the private /tmp is mounted read-only.
# Loader: ok
# Sandbox: clean
import sys


def main():
    for path in ["/usr/evil", "/evil", "/etc/evil", sys.prefix + "/evil", sys.base_prefix + "/evil"]:
        try:
            with open(path, "w") as f:
                f.write("x")
            print("ESCAPED: wrote", path)
        except OSError as error:
            print("blocked", path, type(error).__name__)
    print("CONTAINED")
