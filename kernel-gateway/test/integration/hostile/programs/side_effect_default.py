# Attack: a default argument that calls something when the function is defined.
# Contained: defaults must be literals.
# Loader: default-not-literal
# Sandbox: clean
def main(data=open("/proc/self/status").read()):
    print("CONTAINED")
    return len(data)
