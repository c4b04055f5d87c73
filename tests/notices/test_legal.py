"""The validator: a notice lacking any element of its regime is refused (one test per element)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from sentinelle.notices import legal
from tests.notices.helpers import SOCIETY


def data(regime: str, language: str = "en", *, search_engine: bool = False) -> legal.NoticeData:
    items = [
        legal.ItemData(
            "https://host.example/a",
            "host.example",
            "La Vie en rose",
            "T-000.000.001-0",
            [{"name": "Édith Piaf", "role": "CA", "reporter": True}, {"name": "Louiguy", "role": "C"}],
        ),
        legal.ItemData(
            "https://host.example/b",
            "host.example",
            "Hymne à l'amour",
            "",
            [{"name": "Marguerite Monnot", "role": "C", "reporter": True}],
        ),
    ]
    return legal.NoticeData(
        regime=regime,
        language=language,
        action="delist" if search_engine else "remove",
        escalation_level=0,
        recipient_name="Host Inc.",
        recipient_domain="host.example",
        sender=dict(SOCIETY),
        dated=dt.date(2025, 3, 12),
        reference="SNT-ABC",
        items=items,
        search_engine=search_engine,
    )


@pytest.mark.parametrize("regime", ["eu", "us"])
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("search_engine", [False, True])
def test_rendered_notices_are_complete(regime, language, search_engine):
    d = data(regime, language, search_engine=search_engine)
    assert legal.missing_elements(d, legal.render_body(d)) == []
    assert legal.render_subject(d)


def _blank_sender(key: str) -> Callable[[legal.NoticeData], legal.NoticeData]:
    def change(d: legal.NoticeData) -> legal.NoticeData:
        return dataclasses.replace(d, sender={**d.sender, key: ""})

    return change


def _statement(key: str) -> Callable[[legal.NoticeData], legal.NoticeData]:
    def change(d: legal.NoticeData) -> legal.NoticeData:
        return dataclasses.replace(d, statements={**d.statements, key: ""})

    return change


def _no_holders(d: legal.NoticeData) -> legal.NoticeData:
    return dataclasses.replace(d, items=[dataclasses.replace(i, rights_holders=[]) for i in d.items])


def _no_title(d: legal.NoticeData) -> legal.NoticeData:
    return dataclasses.replace(d, items=[dataclasses.replace(d.items[0], work_title=""), *d.items[1:]])


def _no_reporter(d: legal.NoticeData) -> legal.NoticeData:
    holders = [{**h, "reporter": False} for h in d.items[0].rights_holders]
    return dataclasses.replace(d, items=[dataclasses.replace(d.items[0], rights_holders=holders), *d.items[1:]])


# (element, how to break it: a change to the data, or a cut in the rendered text)
EU_CASES = {
    "dsa_16_2_a": _no_holders,
    "dsa_16_2_b": "https://host.example/b",
    "dsa_16_2_c": _blank_sender("email"),
    "dsa_16_2_d": _statement("good_faith"),
    "represented": _no_reporter,
}
US_CASES = {
    "512_c_3_A_i": _blank_sender("legal_representative"),
    "512_c_3_A_ii": _no_title,
    "512_c_3_A_iii": "https://host.example/a",
    "512_c_3_A_iv": _blank_sender("phone"),
    "512_c_3_A_v": _statement("good_faith"),
    "512_c_3_A_vi": _statement("accuracy"),
    "512_d": "§512(d)",
    "represented": _statement("represented"),
}


def _broken(regime: str, how: object, *, search_engine: bool = False) -> list[str]:
    d = data(regime, search_engine=search_engine)
    if isinstance(how, str):
        body = legal.render_body(d).replace(how, "")
    else:
        assert callable(how)
        d = how(d)
        body = legal.render_body(d)
    return [m.code for m in legal.missing_elements(d, body)]


@pytest.mark.parametrize("element", list(EU_CASES))
def test_eu_notice_lacking_an_element_is_refused(element):
    codes = _broken("eu", EU_CASES[element])
    assert element in codes
    with pytest.raises(legal.NoticeIncomplete):
        d = data("eu")
        legal.validate(d, legal.render_body(d).replace("https://host.example/b", ""))


@pytest.mark.parametrize("element", list(US_CASES))
def test_us_notice_lacking_an_element_is_refused(element):
    codes = _broken("us", US_CASES[element], search_engine=True)
    assert element in codes


def test_each_break_names_its_own_element():
    # A cut aimed at one element does not hide behind another's failure.
    assert _broken("eu", _no_reporter) == ["represented"]
    assert _broken("eu", _statement("knowledge")) == ["dsa_16_2_a"]
    assert _broken("us", _statement("accuracy")) == ["512_c_3_A_vi"]
    assert _broken("eu", _statement("good_faith")) == ["dsa_16_2_d"]


def test_the_french_eu_notice_carries_the_french_date_and_wording():
    d = data("eu", "fr")
    body = legal.render_body(d)
    assert "12 mars 2025" in body and "Déclaration de bonne foi".upper() in body
    assert legal.STATEMENTS["eu"]["fr"]["good_faith"] in body


def test_a_control_character_in_a_name_cannot_split_a_line():
    d = dataclasses.replace(data("us"), recipient_name="Evil\r\nBcc: victim@example.org")
    assert "\nBcc:" not in legal.render_subject(d)
    assert "Evil Bcc: victim@example.org" in legal.render_body(d)


def test_all_in_finds_every_needle_in_order_or_not_and_misses_none():
    from sentinelle.notices.legal import _all_in

    body = "W1. alpha W2. beta W3. gamma https://a.example/1 https://b.example/2"
    assert _all_in(body, ["alpha", "beta", "gamma"])
    assert _all_in(body, ["gamma", "alpha", "https://b.example/2", "beta"])  # out of order: looked for from the start
    assert not _all_in(body, ["alpha", "delta", "gamma"])
    assert not _all_in(body, ["https://b.example/2", "https://c.example/3"])
    assert _all_in(body, [])
