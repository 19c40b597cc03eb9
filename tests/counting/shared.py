"""Where the shared Pabulib files are, and parameters to run a test once per file.

CI clones the repository with ``shared/`` beside it, so the files are at
``<repository>/../shared/data/pabulib``; where that folder is missing, the tests that need it skip.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from pb.counting import Election, read_pb

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "pabulib"
MISSING = f"the shared Pabulib files are not at {DATA}"


def pb_files() -> list[Path]:
    if not DATA.is_dir():
        return []
    return sorted(DATA.glob("*.pb")) + sorted(DATA.glob("*.pb.gz"))


def declared_vote_type(path: Path) -> str:
    """The vote_type META line, read without the reader under test."""
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig") as handle:
        for line in handle:
            if line.lower().startswith("vote_type;"):
                return line.split(";")[1].strip().lower()
            if line.strip().lower() == "projects":
                break
    raise AssertionError(f"{path.name} has no vote_type line")


def file_params(*vote_types: str) -> list:
    """One pytest parameter per shared file whose META declares one of ``vote_types``."""
    chosen = [p for p in pb_files() if declared_vote_type(p) in vote_types]
    if not chosen:
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="no-files")]
    return [
        pytest.param(path, id=path.name.removesuffix(".gz").removesuffix(".pb")) for path in chosen
    ]


def data_file(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        pytest.skip(MISSING if not DATA.is_dir() else f"{name} is not in {DATA}")
    return path


@functools.cache
def read_once(path: Path) -> Election:
    """``read_pb``, once per file for the whole test session (elections are not changed)."""
    return read_pb(path)
