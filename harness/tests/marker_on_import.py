"""A library that leaves the marker ``import`` in $JAXLAB_TEST_MARKS when it
is imported: shows when a program's imports run."""

import os
import pathlib

pathlib.Path(os.environ["JAXLAB_TEST_MARKS"], "import").touch()
