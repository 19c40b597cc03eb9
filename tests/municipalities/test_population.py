import pytest

from pb.extensions import db
from pb.municipalities.services import population


def test_officer_enters_population_figures(officer_client, world):
    response = officer_client.post(
        "/m/ak-suu/population",
        data={
            "adults": "5200",
            "women": "2650",
            "youth": "1900",
            "year": "2026",
            "source": "Household register",
        },
    )
    assert response.status_code == 302
    figures = population(world.municipality)
    assert (figures.adults, figures.women, figures.youth, figures.year) == (5200, 2650, 1900, 2026)
    # Saving again updates the same row.
    officer_client.post(
        "/m/ak-suu/population", data={"adults": "5300", "women": "2700", "youth": "1950"}
    )
    db.session.expire_all()
    assert population(world.municipality).adults == 5300


@pytest.mark.parametrize(
    "data",
    [
        {"adults": "100", "women": "101", "youth": "10"},
        {"adults": "100", "women": "10", "youth": "101"},
        {"adults": "0", "women": "0", "youth": "0"},
        {"adults": "-5", "women": "0", "youth": "0"},
        {"adults": "many", "women": "1", "youth": "1"},
        {"adults": "100", "women": "", "youth": "1"},
    ],
)
def test_bad_population_figures_are_refused(officer_client, world, data):
    response = officer_client.post("/m/ak-suu/population", data=data)
    assert response.status_code == 200
    assert b'class="error"' in response.data
    assert population(world.municipality) is None


@pytest.mark.parametrize(
    "who", ["resident_client", "council_client", "outside_officer_client", "admin_client"]
)
def test_population_figures_are_for_officers_of_the_municipality(request, world, who):
    client = request.getfixturevalue(who)
    assert (
        client.post(
            "/m/ak-suu/population", data={"adults": "10", "women": "5", "youth": "5"}
        ).status_code
        == 403
    )
    assert population(world.municipality) is None
