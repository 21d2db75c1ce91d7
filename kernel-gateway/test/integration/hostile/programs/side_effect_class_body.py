# Attack: statements in a class body (they run when the class is defined).
# Contained: class bodies may hold only methods, docstrings, literal attributes and annotations.
# Loader: class-body-statement
# Sandbox: clean
class Model:
    print("class body ran")
    open("class_body_marker", "w").write("ran")


def main():
    print("CONTAINED")
