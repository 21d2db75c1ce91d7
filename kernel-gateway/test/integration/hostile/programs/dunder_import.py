# Attack: reach os through __import__ from inside a designated function.
# Contained: dunder names are rejected by the loader; the OS boundary holds anyway.
# Loader: dunder-access
# Sandbox: clean
def main():
    os = __import__("os")
    if os.system("cat /etc/shadow >/dev/null 2>&1") == 0:
        print("ESCAPED: read /etc/shadow")
    print("CONTAINED")
