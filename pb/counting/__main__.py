"""``python -m pb.counting FILE.pb --rule greedy|equal-shares [--complete-greedy]``."""

import sys

from pb.counting.command import main

sys.exit(main())
