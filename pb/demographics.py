"""Age groups from birth years, with the bands taken from settings."""

from __future__ import annotations

from collections.abc import Sequence

Band = tuple[int, int | None]


def band_key(band: Band) -> str:
    low, high = band
    return f"{low}+" if high is None else f"{low}-{high}"


def band_keys(bands: Sequence[Band]) -> list[str]:
    return [band_key(b) for b in bands]


def age_group(birth_year: int | None, this_year: int, bands: Sequence[Band]) -> str | None:
    """The band of someone born in ``birth_year``; None when unknown or outside every band.

    Only the year is asked, so the age is the one reached this calendar year.
    """
    if birth_year is None:
        return None
    age = this_year - birth_year
    for low, high in bands:
        if age >= low and (high is None or age <= high):
            return band_key((low, high))
    return None


def band_label(key: str) -> str:
    """ "18-35" reads as "18–35"; "60+" stays as it is."""
    return key.replace("-", "\u2013")
