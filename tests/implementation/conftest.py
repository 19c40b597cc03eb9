"""A consultation with published results: 400k (5 votes), 300k (4), 250k (3) funded; 100k not."""

from __future__ import annotations

import pytest

from tests.implementation.helpers import publish_with_funded


@pytest.fixture
def published(world):
    return world.consultation, publish_with_funded(world.consultation)
