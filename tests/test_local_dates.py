"""Dates people type (a village meeting's, a council session's) are checked against the
municipalities' today, not the server's UTC one: from 18:00 UTC Bishkek is a day ahead, and an
officer typing in the ballots of that evening's meeting was told its date was in the future.

The zone is chosen so that its date differs from UTC's whatever the hour the test runs: a day
ahead (UTC+14) from 10:00 UTC, a day behind (UTC-12) before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pb.consultations.services import local_today
from pb.errors import RuleViolation
from pb.voting import services as voting
from pb.voting.sheets import VoterDetails
from tests import factories


@pytest.fixture
def far_zone(app):  # type: ignore[no-untyped-def]
    hour = datetime.now(UTC).hour
    # Etc/GMT-14 is UTC+14 (POSIX signs are reversed).
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Etc/GMT-14" if hour >= 10 else "Etc/GMT+12"
    assert local_today() != datetime.now(UTC).date()
    return app


def test_a_meeting_held_today_where_the_municipality_is(far_zone, world):
    (proposal, *_) = factories.open_voting(world.consultation, allow_paper=True)
    with far_zone.test_request_context():
        voting.add_paper_ballot(
            world.officer,
            world.consultation,
            world.village.id,
            local_today(),
            {proposal.id: 1},
            VoterDetails(),
        )
        with pytest.raises(RuleViolation):
            voting.add_paper_ballot(
                world.officer,
                world.consultation,
                world.village.id,
                local_today() + timedelta(days=1),
                {proposal.id: 1},
                VoterDetails(),
            )
