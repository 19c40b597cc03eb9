"""The counting model's values: checked when made, equal by their fields, read-only."""

import pytest

from pb.counting.model import Election, Outcome, Project, ProjectResult


def test_projects_and_elections_refuse_what_cannot_be_counted():
    with pytest.raises(ValueError, match="non-empty string"):
        Project("", 10)
    with pytest.raises(ValueError, match="at least 1"):
        Project("a", 0)
    with pytest.raises(ValueError, match="at least 1"):
        Project("a", True)
    with pytest.raises(ValueError, match="budget"):
        Election(-1, [Project("a", 1)], [])
    with pytest.raises(ValueError, match="vote type"):
        Election(10, [Project("a", 1)], [], vote_type="ordinal")
    with pytest.raises(ValueError, match="unique"):
        Election(10, [Project("a", 1), Project("a", 2)], [])


def test_values_are_equal_by_their_fields_and_cannot_be_changed():
    first = Election(10, [Project("a", 3)], [{"a": 1}], max_length=1)
    assert first == Election(10, (Project("a", 3),), ({"a": 1},), max_length=1)
    assert first != Election(10, [Project("a", 3)], [{"a": 1}])
    assert first.projects == (Project("a", 3),) and first.meta == {}
    assert hash(Project("a", 3)) == hash(Project("a", 3)) != hash(Project("a", 4))
    assert Project("a", 3) != ("a", 3)
    with pytest.raises(AttributeError):
        first.budget = 20  # type: ignore[misc]
    with pytest.raises(AttributeError):
        Project("a", 3).cost = 4  # type: ignore[misc]
    result = ProjectResult("a", "funded", 1, 3, position=1)
    outcome = Outcome("greedy", ("a",), 3, 10, {"a": result})
    assert outcome.left_over == 7 and result.funded
    assert "cost=3" in repr(Project("a", 3))


def test_replace_makes_a_checked_copy():
    election = Election(10, [Project("a", 3)], [{"a": 1}])
    cheaper = election.replace(budget=5)
    assert cheaper.budget == 5 and election.budget == 10 and cheaper.ballots == election.ballots
    with pytest.raises(ValueError):
        election.replace(budget=-5)
