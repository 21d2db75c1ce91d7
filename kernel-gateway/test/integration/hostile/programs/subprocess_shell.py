# Attack: start shell commands with subprocess to read secrets and look around.
# Contained: children inherit the sandbox (uid 65534, same mounts); /etc/shadow is absent.
# Loader: ok
# Sandbox: clean
import subprocess


def main():
    uid = subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip()
    if uid != "65534":
        print("ESCAPED: child runs as uid", uid)
    shadow = subprocess.run(["cat", "/etc/shadow"], capture_output=True)
    if shadow.returncode == 0:
        print("ESCAPED: cat /etc/shadow")
    print("CONTAINED")
