from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sentinelle.catalogue.identifiers import (
    IdentifierError,
    format_iswc,
    ipi_check_digits,
    iswc_check_digit,
    normalise_ipi_name_number,
    normalise_isrc,
    normalise_iswc,
)


@pytest.mark.parametrize("value", ["T-034.524.680-1", "T0345246801", "t 034 524 680 1", "T-034524680-1"])
def test_valid_iswc_is_stored_compact(value: str) -> None:
    assert normalise_iswc(value) == "T0345246801"


def test_iswc_is_shown_with_separators() -> None:
    assert format_iswc("T0345246801") == "T-034.524.680-1"


@pytest.mark.parametrize("value", ["T-034.524.680-2", "T1234567893", "T3221234234"])
def test_iswc_with_wrong_check_digit_is_refused(value: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        normalise_iswc(value)
    assert exc.value.code == "check_digit"


@pytest.mark.parametrize("value", ["034.524.680-1", "T-034.524.680", "X0345246801", "T03452468011", "T-O34.524.680-1"])
def test_malformed_iswc_is_refused(value: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        normalise_iswc(value)
    assert exc.value.code == "malformed"


def test_empty_iswc_is_refused() -> None:
    with pytest.raises(IdentifierError) as exc:
        normalise_iswc("  ")
    assert exc.value.code == "empty"


@given(st.integers(min_value=0, max_value=999_999_999), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_of_the_check_digit_is_caught(number: int, delta: int) -> None:
    nine = f"{number:09d}"
    good = iswc_check_digit(nine)
    assert normalise_iswc(f"T{nine}{good}") == f"T{nine}{good}"
    with pytest.raises(IdentifierError):
        normalise_iswc(f"T{nine}{(good + delta) % 10}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("00000000199", "00000000199"),  # the writer of django-music-publisher's samples
        ("199", "00000000199"),  # CWR and spreadsheets drop the leading zeros
        ("09000000020", "09000000020"),
        ("00000000395", "00000000395"),
    ],
)
def test_valid_ipi_name_number(value: str, expected: str) -> None:
    assert normalise_ipi_name_number(value) == expected


@pytest.mark.parametrize("value", ["00000000198", "00000000004", "00854632549", "09000000021"])
def test_ipi_with_wrong_check_digits_is_refused(value: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        normalise_ipi_name_number(value)
    assert exc.value.code == "check_digit"


@pytest.mark.parametrize("value", ["I-123456789-3", "12A", "123456789012", "0000000019٩"])
def test_malformed_ipi_is_refused(value: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        normalise_ipi_name_number(value)
    assert exc.value.code == "malformed"


@given(st.integers(min_value=0, max_value=999_999_999))
def test_ipi_built_with_its_check_digits_is_valid(number: int) -> None:
    nine = f"{number:09d}"
    value = f"{nine}{ipi_check_digits(nine):02d}"
    assert normalise_ipi_name_number(value) == value


def test_isrc() -> None:
    assert normalise_isrc("fr-z03-14-00123") == "FRZ031400123"
    with pytest.raises(IdentifierError):
        normalise_isrc("FRZ0314001")
