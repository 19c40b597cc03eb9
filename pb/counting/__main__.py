"""``python -m pb.counting FILE.pb --rule greedy|equal-shares [--complete-greedy]``."""

import os
import sys

from pb.counting.command import main

code = main()
sys.stdout.flush()
sys.stderr.flush()
# The process ends here: skipping the interpreter's teardown, which frees the election and
# the count object by object, ends it a few milliseconds sooner (as mypy does).
os._exit(code)
