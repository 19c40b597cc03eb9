"""Reading a .pb file as it comes (``PbReader``, ``text_lines``): the same election as
``parse_pb``, from bytes in pieces of any size, with the same errors and lines."""

from __future__ import annotations

import pytest

from pb.counting import PabulibError, parse_pb, read_pb
from pb.counting.pabulib import NotText, PbReader, text_lines
from tests.counting.shared import data_file

QUOTED = "\r\n".join(
    [
        "META",
        "key;value",
        "budget;100",
        "vote_type;approval",
        "num_votes;3",
        "PROJECTS",
        "project_id;cost;name",
        '1;40;"Жол; көпүрө',
        'жана ""суу"""',
        "2;60;Мектеп",
        "VOTES",
        "voter_id;vote",
        "a;1,2",
        "b; 2 ",
        "c;1",
        "",
    ]
)


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 4096])
@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_pieces_of_any_size_and_any_line_ends_read_as_the_whole_text(size, ending):
    text = QUOTED.replace("\r\n", ending)
    reader = PbReader(text_lines(pieces(("\ufeff" + text).encode(), size)))
    assert reader.stated_votes == 3
    assert reader.head.project_meta["1"]["name"] == f'Жол; көпүрө{ending}жана "суу"'
    ballots = list(reader.votes())
    assert ballots == [{"1": 1, "2": 1}, {"2": 1}, {"1": 1}]
    assert reader.head.replace(ballots=ballots) == parse_pb(text)


@pytest.mark.parametrize(
    "name",
    [
        "Poland_Warszawa_2023_Rembertow.pb",
        "Switzerland_Zurich_D10.pb",
        "France_Toulouse_2022_6_-_Saint-Cyprien.pb",
    ],
)
def test_a_shared_file_read_as_it_comes_is_the_file_read_whole(name):
    path = data_file(name)
    reader = PbReader(text_lines(pieces(path.read_bytes(), 1000)), source=name)
    assert reader.head.replace(ballots=tuple(reader.votes())) == read_pb(path)


def test_votes_come_one_at_a_time_before_the_file_is_read():
    reader = PbReader(QUOTED.replace("c;1", "c;9").splitlines(keepends=True))
    votes = reader.votes()
    assert next(votes) == {"1": 1, "2": 1}
    assert next(votes) == {"2": 1}
    with pytest.raises(PabulibError, match="line 15: voter c votes for project '9'"):
        next(votes)


def test_a_count_meta_states_is_checked_after_the_last_vote():
    reader = PbReader(QUOTED.replace("num_votes;3", "num_votes;4").splitlines(keepends=True))
    votes = reader.votes()
    assert len([next(votes) for _ in range(3)]) == 3
    with pytest.raises(PabulibError, match="line 5: META says num_votes is 4"):
        next(votes)


@pytest.mark.parametrize("data", [b"META\nkey;value\n\xff\n", b"META\nkey;\x00value\n"])
def test_bytes_that_are_not_text_are_refused(data):
    with pytest.raises(NotText, match="not UTF-8 text"):
        PbReader(text_lines(pieces(data, 5)))
