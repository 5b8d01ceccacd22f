"""`python -m tunekit` runs the `tunekit` command."""

import sys

from tunekit.cli import main

sys.exit(main())
