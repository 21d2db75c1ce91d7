# Attack: run the program's own code at import time (a top-level call) before any designated function is called.
# Contained: the loader rejects calls of the program's own functions at the top level.
# Loader: user-code-at-load
# Sandbox: clean
def plant():
    open("import_time_marker", "w").write("ran")
    print("CONTAINED: import-time code ran only inside the sandbox")


plant()


def main():
    return 1
