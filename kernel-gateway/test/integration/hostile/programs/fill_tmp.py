# Attack: fill /tmp (and /dev/shm) to exhaust the host's disk or memory.
# Contained: /tmp and /dev/shm are private tmpfs mounts with a size limit (ENOSPC).
# Loader: ok
# Sandbox: clean
def main():
    for folder in ["/tmp", "/dev/shm"]:
        written = 0
        try:
            with open(folder + "/fill", "wb") as f:
                while written < 1024 ** 3:
                    f.write(b"\0" * (1024 * 1024))
                    written += 1024 * 1024
            print("ESCAPED: wrote 1 GiB to", folder)
        except OSError as error:
            print("stopped", folder, "after", written, type(error).__name__)
    print("CONTAINED")
