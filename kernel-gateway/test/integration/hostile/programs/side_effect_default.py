# Attack: a default argument that calls the program's own code when the function is defined.
# Contained: defaults may call libraries only; the program's own code runs only in the designated call.
# Loader: user-code-at-load
# Sandbox: clean
def read_status():
    print("CONTAINED: the program's own default ran only inside the sandbox")
    return open("/proc/self/status").read()


def main(data=read_status()):
    print("CONTAINED")
    return len(data)
