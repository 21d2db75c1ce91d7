# Attack: read files outside the job folder (host secrets, other users, the repository).
# Contained: those paths are not mounted in the sandbox (ENOENT) or not readable by uid 65534.
# Loader: ok
# Sandbox: clean
import os


def main():
    for path in ["/etc/shadow", "/root/.bashrc", "/work/main/package.json", "/work/shared/DESIGN.md", "/home"]:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").read()
            print("ESCAPED: read", path)
        except OSError as error:
            print("blocked", path, type(error).__name__)
    print("CONTAINED")
