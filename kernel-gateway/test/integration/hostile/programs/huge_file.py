# Attack: write a huge file into the job folder (the one writable host path).
# Contained: RLIMIT_FSIZE stops the write at the file-size limit (EFBIG).
# Loader: ok
# Sandbox: clean
def main():
    written = 0
    try:
        with open("huge.bin", "wb") as f:
            while written < 4 * 1024 ** 3:
                f.write(b"\0" * (1024 * 1024))
                written += 1024 * 1024
        print("ESCAPED: wrote 4 GiB")
    except OSError as error:
        print("stopped after", written, type(error).__name__)
    print("CONTAINED")
