"""``python -m hiresim`` is the ``hiresim`` command."""

from hiresim.cli import main

if __name__ == "__main__":
    main()
