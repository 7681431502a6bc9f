"""PyInstaller's entry script: the frozen executable runs the same `main()` as the console script."""

import sys

from panel.cli import main

if __name__ == "__main__":
    sys.exit(main())
