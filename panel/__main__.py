import sys

from panel.cli import main

sys.exit(main())
