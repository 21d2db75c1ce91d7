# Attack: drop sitecustomize.py, json.py and jaxlab_harness.py into the job folder so the next kernel imports them.
# Contained: Python runs with -I (no cwd or script folder on sys.path, no user site) and the venv is read-only.
# Loader: ok
# Sandbox: clean
import subprocess
import sys

PAYLOAD = "open('/tmp/shadow_marker', 'w').write('ran')\n"


def main():
    for name in ["sitecustomize.py", "usercustomize.py", "json.py", "jaxlab_harness.py"]:
        with open(name, "w") as f:
            f.write(PAYLOAD)
    subprocess.run([sys.executable, "-I", "-c", "import json, sys; sys.exit(0)"])
    try:
        open("/tmp/shadow_marker").read()
        print("ESCAPED: a shadowing module ran")
    except OSError:
        print("CONTAINED")
