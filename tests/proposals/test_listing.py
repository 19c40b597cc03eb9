import pytest

from pb.extensions import db
from pb.models import Beneficiary, ProposalStatus
from tests import factories


def fill(consultation, n):
    villages = consultation.villages
    categories = consultation.categories
    for i in range(n):
        factories.make_proposal(
            consultation,
            status=[ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED][
                i % 3
            ],
            category_id=categories[i % len(categories)].id,
            village_id=villages[i % len(villages)].id,
            beneficiaries=(Beneficiary.WOMEN, Beneficiary.YOUTH),
            title=f"Proposal {i:03d}",
        )


def test_list_filters_by_category_village_and_status(client, world):
    c = world.consultation
    fill(c, 12)
    water = c.categories[1]
    page = client.get(f"/c/{c.id}/proposals?category={water.id}").get_data(as_text=True)
    assert "3 proposals" in page
    page = client.get(f"/c/{c.id}/proposals?village={c.villages[0].id}&status=accepted").get_data(
        as_text=True
    )
    assert "2 proposals" in page
    assert "Proposal 004" in page and "Proposal 001" not in page


def test_unknown_filter_values_are_ignored_not_500(client, world):
    fill(world.consultation, 3)
    for query in (
        "category=abc",
        "village=-1",
        "status=whatever",
        "status=%20",
        "category=%20",
        "village=%20+",
        "page=0",
        "page=-5",
        "page=abc",
        "page=999",
        "page=99999999999999999999",
    ):
        response = client.get(f"/c/{world.consultation.id}/proposals?{query}")
        assert response.status_code == 200, query


def test_list_paginates(client, world):
    fill(world.consultation, 45)
    first = client.get(f"/c/{world.consultation.id}/proposals").get_data(as_text=True)
    assert "45 proposals" in first
    assert first.count('class="card"') == 20
    assert "Page 1 of 3" in first
    third = client.get(f"/c/{world.consultation.id}/proposals?page=3").get_data(as_text=True)
    assert third.count('class="card"') == 5


def test_public_list_hides_withdrawn_but_officers_see_them(app, world):
    factories.make_proposal(
        world.consultation, status=ProposalStatus.WITHDRAWN, title="Withdrawn one"
    )
    assert (
        b"Withdrawn one" not in app.test_client().get(f"/c/{world.consultation.id}/proposals").data
    )
    officer = app.test_client(user=world.officer)
    assert b"Withdrawn one" in officer.get(f"/c/{world.consultation.id}/proposals").data


@pytest.mark.parametrize("path", ["/c/{id}/proposals", "/c/{id}", "/c/{id}/review"])
def test_pages_run_a_bounded_number_of_queries(app, world, count_queries, path):
    """10 or 200 proposals: the same number of SQL statements."""
    officer = app.test_client(user=world.officer)
    url = path.format(id=world.consultation.id)
    counts = []
    for total in (10, 200):
        fill(world.consultation, total - len(world.consultation.categories) * 0 - _existing(world))
        db.session.expire_all()
        with count_queries() as counter:
            assert officer.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts


def _existing(world):
    from sqlalchemy import func, select

    from pb.models import Proposal

    return db.session.scalar(select(func.count()).select_from(Proposal))
