# Attack: allocate memory without bound.
# Contained: the memory cgroup limit triggers the OOM killer inside the kernel's cgroup only.
# Loader: ok
# Sandbox: limit=memory
def main():
    hog = []
    while True:
        hog.append(bytearray(32 * 1024 * 1024))
