import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Membership, Municipality, Role
from tests import factories


def municipality_form(**fields):
    data = {
        "slug": "kara-suu",
        "name_ky": "Кара-Суу айыл өкмөтү",
        "name_ru": "",
        "name_en": "",
        "region": "Ош облусу",
        "villages": "Кара-Суу\nКызыл-Кыштак\n  \nКара-Суу\n",
    }
    data.update(fields)
    return data


def test_admin_creates_a_municipality_with_its_villages(admin_client, world):
    response = admin_client.post("/admin/municipalities/new", data=municipality_form())
    assert response.status_code == 302
    municipality = db.session.scalar(select(Municipality).where(Municipality.slug == "kara-suu"))
    assert sorted(v.name for v in municipality.villages) == ["Кара-Суу", "Кызыл-Кыштак"]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"slug": "Kara Suu"}, b"Use small Latin letters, digits and dashes"),
        ({"slug": "ak-suu"}, b"already used by another municipality"),
        ({"name_ky": ""}, b"Give the name in at least one language."),
        ({"villages": "x" * 101}, b"at most 100 characters"),
    ],
)
def test_bad_municipality_input_is_refused(admin_client, world, fields, message):
    before = db.session.scalar(select(func.count()).select_from(Municipality))
    response = admin_client.post("/admin/municipalities/new", data=municipality_form(**fields))
    assert response.status_code == 200
    assert message in response.data
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == before


def test_village_with_proposals_cannot_be_removed(admin_client, world):
    village = world.village
    factories.make_proposal(world.consultation, village_id=village.id)
    others = [v.name for v in world.municipality.villages if v.id != village.id]
    response = admin_client.post(
        f"/admin/municipalities/{world.municipality.id}/edit",
        data=municipality_form(slug="ak-suu", villages="\n".join(others)),
    )
    assert response.status_code == 200
    db.session.refresh(world.municipality)
    assert village.name in [v.name for v in world.municipality.villages]


def test_admin_appoints_and_removes_an_officer(admin_client, world):
    response = admin_client.post(
        f"/admin/municipalities/{world.municipality.id}/staff",
        data={"login": "0555 123 456", "role": "officer"},
    )
    assert response.status_code == 302
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == world.resident.id, Membership.role == Role.OFFICER
        )
    )
    assert membership is not None and membership.appointed_by_id == world.admin.id
    membership_id = membership.id
    admin_client.post(f"/admin/memberships/{membership_id}/revoke")
    assert db.session.scalar(select(Membership).where(Membership.id == membership_id)) is None


def test_appointing_an_unknown_account_or_twice_gets_a_message(admin_client, world):
    response = admin_client.post(
        f"/admin/municipalities/{world.municipality.id}/staff",
        data={"login": "nobody", "role": "officer"},
    )
    assert b"There is no account" in response.data
    response = admin_client.post(
        f"/admin/municipalities/{world.municipality.id}/staff",
        data={"login": "officer", "role": "officer"},
    )
    assert b"already has this role" in response.data
    response = admin_client.post(
        f"/admin/municipalities/{world.municipality.id}/staff",
        data={"login": "officer", "role": "admin"},
    )
    assert response.status_code == 200


def test_resident_role_cannot_be_revoked_through_staff_page(admin_client, world):
    membership = world.resident.memberships[0]
    admin_client.post(f"/admin/memberships/{membership.id}/revoke")
    assert db.session.get(Membership, membership.id) is not None


@pytest.mark.parametrize("who", ["officer_client", "council_client", "resident_client"])
def test_administration_is_for_admins_only(request, world, who):
    client = request.getfixturevalue(who)
    assert client.get("/admin/").status_code == 403
    assert client.post("/admin/municipalities/new", data=municipality_form()).status_code == 403
    assert (
        client.post(
            f"/admin/municipalities/{world.municipality.id}/staff",
            data={"login": "officer", "role": "council"},
        ).status_code
        == 403
    )
    assert db.session.scalar(select(Municipality).where(Municipality.slug == "kara-suu")) is None


def test_unknown_municipality_is_404(admin_client, client, world):
    assert admin_client.get("/admin/municipalities/9999/edit").status_code == 404
    assert client.get("/m/no-such-place").status_code == 404


def test_home_page_finds_municipalities(client, world):
    page = client.get("/?q=Municipality").get_data(as_text=True)
    assert "/m/ak-suu" in page
    assert "No municipality found." in client.get("/?q=zzzz").get_data(as_text=True)
    # A page number beyond the database's integers is an empty page, not a 500.
    assert client.get("/?page=99999999999999999999").status_code == 200
