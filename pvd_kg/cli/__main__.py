"""``python -m pvd_kg.cli``."""

from . import main

main()
