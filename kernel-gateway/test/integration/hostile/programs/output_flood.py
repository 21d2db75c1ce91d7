# Attack: flood stdout to stall or exhaust the gateway.
# Contained: output streams through bounded pipes; the gateway stays responsive (caps apply at the kernel manager).
# Loader: ok
# Sandbox: clean
def main():
    line = "x" * 1000
    for _ in range(5000):
        print(line)
    print("CONTAINED")
