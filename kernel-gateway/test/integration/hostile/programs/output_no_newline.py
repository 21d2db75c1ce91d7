# Attack: megabytes of output without a newline (breaks line-based readers).
# Contained: readers cap line length; the run completes and the gateway stays responsive.
# Loader: ok
# Sandbox: clean
def main():
    for _ in range(2000):
        print("y" * 1000, end="")
    print("")
    print("CONTAINED")
