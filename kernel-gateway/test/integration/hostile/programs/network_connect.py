# Attack: open network connections (internet hosts and the host's loopback services).
# Contained: the sandbox has its own network namespace with only a loopback of its own.
# Loader: ok
# Sandbox: clean
import socket


def main():
    for target in [("1.1.1.1", 80), ("8.8.8.8", 53), ("127.0.0.1", 22), ("127.0.0.1", 8888)]:
        try:
            socket.create_connection(target, timeout=2).close()
            print("ESCAPED: connected", target)
        except OSError as error:
            print("blocked", target, type(error).__name__)
    print("CONTAINED")
