# Attack: a decorator of the program's own, which runs when the definition is evaluated.
# Contained: decorators must come from libraries; the program's own code runs only in the designated call.
# Loader: decorator-not-allowed
# Sandbox: clean
def announce(function):
    print("CONTAINED: a decorator of the program ran only inside the sandbox")
    return function


@announce
def main():
    return 1
