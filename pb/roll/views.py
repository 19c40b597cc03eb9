"""The roll's pages: each module below adds its own to the blueprint."""

from pb.roll import (  # noqa: F401
    confirmation_views,
    desk_views,
    entry_views,
    turnout_views,
)
