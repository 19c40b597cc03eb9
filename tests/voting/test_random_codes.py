"""Codes and receipts are drawn evenly from the alphabet without look-alikes."""

from collections import Counter

from pb.voting import codes


def test_codes_and_receipts_have_their_length_and_only_the_alphabets_characters():
    for draw, length in (
        (codes.new_code, codes.CODE_LENGTH),
        (codes.new_receipt, codes.RECEIPT_LENGTH),
    ):
        drawn = {draw() for _ in range(200)}
        assert len(drawn) == 200  # no repeats
        assert all(len(text) == length and set(text) <= set(codes.ALPHABET) for text in drawn)


def test_every_byte_value_stands_for_a_character_equally_often_or_for_none():
    # 256 is not a multiple of 25: taken modulo 25, bytes would favour six characters.
    counts = Counter(codes.characters(bytes(range(256))))
    assert set(counts) == set(codes.ALPHABET)
    assert set(counts.values()) == {256 // len(codes.ALPHABET)}
