# Attack: spin forever.
# Contained: the gateway's wall-clock limit tears the sandbox down (RLIMIT_CPU backs it up).
# Loader: ok
# Sandbox: limit=wall-clock
def main():
    n = 0
    while True:
        n += 1
