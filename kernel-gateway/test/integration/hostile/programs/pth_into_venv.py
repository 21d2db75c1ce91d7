# Attack: write a .pth file (or a module) into the venv's site-packages to run code in every later kernel.
# Contained: the venv is bound read-only.
# Loader: ok
# Sandbox: clean
import site


def main():
    for folder in site.getsitepackages():
        try:
            with open(folder + "/zz_evil.pth", "w") as f:
                f.write("import os\n")
            print("ESCAPED: wrote", folder)
        except OSError as error:
            print("blocked", folder, type(error).__name__)
    print("CONTAINED")
