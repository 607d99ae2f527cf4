"""``python -m bench``: what scripts/bench runs."""

import sys

from .run import main

sys.exit(main())
