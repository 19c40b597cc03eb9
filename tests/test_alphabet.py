"""Kyrgyz order and the folding of search, in Python (pb.alphabet)."""

import pytest

from pb.alphabet import KYRGYZ_ALPHABET, compare, fold, sort_key


def test_the_kyrgyz_letters_follow_their_russian_neighbours():
    shuffled = sorted(KYRGYZ_ALPHABET, reverse=True)
    assert "".join(sorted(shuffled, key=sort_key)) == ("абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя")


def test_names_with_kyrgyz_letters_sort_in_kyrgyz_order():
    names = ["Үч-Коргон", "Өзгөрүш", "Ңаа", "Ясное", "Ноокат", "Орто-Сай", "Улуу-Тоо", "Пахтаабад"]
    assert sorted(names, key=sort_key) == [
        "Ноокат",
        "Ңаа",
        "Орто-Сай",
        "Өзгөрүш",
        "Пахтаабад",
        "Улуу-Тоо",
        "Үч-Коргон",
        "Ясное",
    ]


def test_case_decides_only_between_otherwise_equal_names():
    assert sorted(["Тоң", "тон", "Тон", "ТОО"], key=sort_key) == ["тон", "Тон", "Тоң", "ТОО"]


def test_digits_come_before_letters_and_cyrillic_before_latin():
    assert sorted(["Zed", "ак", "12-участок", "apple"], key=sort_key) == [
        "12-участок",
        "ак",
        "apple",
        "Zed",
    ]


def test_compare_is_what_sqlite_asks_of_a_collation():
    assert compare("Ноокат", "Ңаа") == -1
    assert compare("Үч", "Ут") == 1
    assert compare("Ак", "Ак") == 0


@pytest.mark.parametrize(
    "typed, name",
    [
        ("суу", "Ак-Суу"),
        ("АК-СУУ", "Ак-Суу"),
        ("тон", "Тоң"),
        ("тоң", "ТОҢ"),
        ("торт", "Төрт-Көл"),
        ("елка", "Ёлка"),
        ("гулнара", "Гүлнара"),
    ],
)
def test_search_folds_case_and_the_kyrgyz_letters(typed, name):
    assert fold(typed) in fold(name)


def test_folding_keeps_what_is_not_folded():
    assert fold("Kara-Suu 12") == "kara-suu 12"
    assert fold("") == ""
