"""Write ``instance/config.py`` for ``make run``: a random ``SECRET_KEY`` and ``VOTE_KEY`` for
this machine, kept out of the repository. A file written before ``VOTE_KEY`` existed gets one,
with its ``SECRET_KEY`` as the older vote key still accepted: the slips it printed and the
receipts it gave were keyed with that.

Run as ``python -m pb.instance_config instance/config.py``; it needs nothing but the standard
library, and changes nothing in a file that has a ``VOTE_KEY``.
"""

from __future__ import annotations

import os
import runpy
import secrets
import sys


def complete(path: str) -> str:
    """Write or complete the file at ``path``; say what was done."""
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        added = [f"SECRET_KEY = {secrets.token_hex(32)!r}", f"VOTE_KEY = {secrets.token_hex(32)!r}"]
        done = f"{path}: written with a new SECRET_KEY and VOTE_KEY"
    else:
        settings = runpy.run_path(path)
        if settings.get("VOTE_KEY"):
            return f"{path}: has a VOTE_KEY"
        added = [
            "",
            "# Added by `make run`: voting codes and receipts have a key of their own. Those made",
            "# before it were keyed with SECRET_KEY, kept below as an older vote key, so they",
            "# still work (README.md, Keys).",
            f"VOTE_KEY = {secrets.token_hex(32)!r}",
        ]
        if settings.get("SECRET_KEY"):
            added.append(f"VOTE_KEY_FALLBACKS = [{settings['SECRET_KEY']!r}]")
        done = f"{path}: VOTE_KEY added"
    # Owner-only: the keys are what keeps slips, receipts and sessions from being forged.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a") as config:
        config.write("\n".join(added) + "\n")
    return done


if __name__ == "__main__":
    print(complete(sys.argv[1] if len(sys.argv) > 1 else "instance/config.py"))
