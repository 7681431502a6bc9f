"""`python -m panel.demo.simulated_docker docker ps`: what the wrapper scripts run."""

import sys

from panel.demo.simulated_docker.cli import main

sys.exit(main(sys.argv[1:]))
