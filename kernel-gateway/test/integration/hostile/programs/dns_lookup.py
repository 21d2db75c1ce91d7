# Attack: resolve names (DNS exfiltration).
# Contained: no network namespace route and no resolver configuration in the sandbox.
# Loader: ok
# Sandbox: clean
import socket


def main():
    for name in ["pypi.org", "example.com"]:
        try:
            socket.getaddrinfo(name, 443)
            print("ESCAPED: resolved", name)
        except OSError as error:
            print("blocked", name, type(error).__name__)
    print("CONTAINED")
