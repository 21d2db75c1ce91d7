# Attack: sleep forever (uses no CPU, so only a wall-clock limit catches it).
# Contained: the gateway's wall-clock limit tears the sandbox down.
# Loader: ok
# Sandbox: limit=wall-clock
import time


def main():
    time.sleep(10 ** 6)
