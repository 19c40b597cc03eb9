import pytest

from pb.auth.phone import PhoneError, looks_like_phone, normalise_phone


@pytest.mark.parametrize(
    "typed",
    [
        "0555 123 456",
        "0555123456",
        "555123456",
        "+996 555 123 456",
        "+996555123456",
        "996555123456",
        "00996 555 12 34 56",
        "+996 (555) 12-34-56",
        " 0555-12-34-56 ",
    ],
)
def test_kyrgyz_numbers_are_written_one_way(typed):
    assert normalise_phone(typed) == "+996 555 123 456"


@pytest.mark.parametrize(
    "typed", ["+7 701 123 4567", "+77011234567", "0077011234567", "+1 202 555 0100", "79161234567"]
)
def test_other_countries_numbers_are_refused(typed):
    with pytest.raises(PhoneError) as error:
        normalise_phone(typed)
    assert error.value.reason == "foreign"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12345",
        "0555 12",
        "+996 555 12",
        "+996 055 123 456",
        "abc",
        "0555 123 45a",
        "+996 555 123 4567",
    ],
)
def test_malformed_numbers_are_refused(typed):
    with pytest.raises(PhoneError) as error:
        normalise_phone(typed)
    assert error.value.reason == "invalid"


@pytest.mark.parametrize(
    "typed",
    [
        "0555 １２３ ４５６",  # full-width
        "０５５５１２３４５６",
        "＋９９６ ５５５ １２３ ４５６",
        "٠٥٥٥١٢٣٤٥٦",  # Arabic-Indic
        "۰۵۵۵۱۲۳۴۵۶",  # Persian
        "०५५५१२३४५६",  # Devanagari
        "0555\u3000123\u3000456",  # an ideographic space
    ],
)
def test_other_scripts_digits_are_the_same_number(typed):
    assert normalise_phone(typed) == "+996 555 123 456"
    assert looks_like_phone(typed)


@pytest.mark.parametrize("typed", ["0555 123 4¾6", "0555 123 4٫56", "0555 123 45Ⅵ"])
def test_what_is_not_a_digit_in_any_script_is_refused(typed):
    with pytest.raises(PhoneError) as error:
        normalise_phone(typed)
    assert error.value.reason == "invalid"
