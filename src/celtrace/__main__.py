"""``python -m celtrace``."""

from celtrace.cli import main

main()
