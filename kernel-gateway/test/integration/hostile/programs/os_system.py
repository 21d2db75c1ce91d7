# Attack: os.system to reach the network and escalate (sudo, su, curl).
# Contained: no network, no setuid helpers usable (no_new_privs, nested user namespaces disabled).
# Loader: ok
# Sandbox: clean
import os


def main():
    for command in ["sudo -n true", "su -c true", "curl -sm 2 http://1.1.1.1", "wget -qT 2 http://1.1.1.1"]:
        status = os.system(command + " >/dev/null 2>&1")
        if status == 0:
            print("ESCAPED:", command)
    print("CONTAINED")
