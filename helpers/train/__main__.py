"""``python -m helpers.train FOLDER [options]``: the command line (:mod:`helpers.train.command`)."""

import sys

from helpers.train.command import main

sys.exit(main())
