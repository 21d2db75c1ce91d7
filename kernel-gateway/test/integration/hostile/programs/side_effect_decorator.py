# Attack: a decorator with side effects (runs when the definition is evaluated).
# Contained: only decorators from the safe list are accepted.
# Loader: decorator-not-allowed
# Sandbox: clean
print("CONTAINED: decorator module loaded inside the sandbox")


@print
def main():
    return 1
