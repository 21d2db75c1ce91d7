# Attack: walk ().__class__.__base__.__subclasses__() to find a class holding os, then run a shell.
# Contained: introspection attributes are rejected by the loader; the OS boundary holds anyway.
# Loader: dunder-access
# Sandbox: clean
def main():
    for cls in ().__class__.__base__.__subclasses__():
        init = getattr(cls, "__init__", None)
        module = getattr(init, "__globals__", {}).get("os") if init else None
        if module is not None:
            if module.system("echo x > /usr/owned 2>/dev/null") == 0:
                print("ESCAPED: wrote /usr/owned")
            break
    print("CONTAINED")
