# Attack: run code at import time (a top-level call) before any designated function is called.
# Contained: the loader keeps only imports, definitions and literals; the call is rejected.
# Loader: top-level-statement
# Sandbox: clean
open("import_time_marker", "w").write("ran")
print("CONTAINED: import-time code ran only inside the sandbox")


def main():
    return 1
