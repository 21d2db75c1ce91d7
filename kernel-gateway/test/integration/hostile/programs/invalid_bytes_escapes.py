# Attack: invalid UTF-8 and terminal escape sequences (title change, screen clear, OSC 52 clipboard), next to SGR colours.
# Contained: the kernel manager replaces invalid bytes and neutralises escapes; the sandbox just passes bytes.
# Loader: ok
# Sandbox: clean
import sys


def main():
    sys.stdout.buffer.write(b"\xff\xfe\xc3(\n\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\n")
    sys.stdout.flush()
    print("\x1b[31mred\x1b[0m")
    print("CONTAINED")
