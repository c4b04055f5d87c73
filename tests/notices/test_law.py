"""The law the notices cite: each cited article pinned to its wording, and nothing else cited.

The wording below is the reading of the texts that docs/notices.md ("The law as cited") names with
their dates: Regulation (EU) 2022/2065 as published, the French Intellectual Property Code and law
No. 2004-575 as consolidated after law No. 2024-449 of 21 May 2024. ``legal.CITED_ARTICLES`` must
hold exactly this: changing a citation, or what we take it to say, is a change in two places and
a lawyer's review (the docs say so).
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from sentinelle.notices import legal
from tests.notices.test_legal import data

PINNED = {
    "DSA art. 3(h)": (
        "is not in compliance with Union law or the law of any Member State which is in compliance with Union law"
    ),
    "DSA art. 6(1)": (
        "on condition that the provider: (a) does not have actual knowledge of illegal activity or "
        "illegal content [...]; or (b) upon obtaining such knowledge or awareness, acts expeditiously to"
        " remove or to disable access to the illegal content"
    ),
    "DSA art. 16(2)": (
        "(d) a statement confirming the bona fide belief of the individual or entity submitting the "
        "notice that the information and allegations contained therein are accurate and complete"
    ),
    "DSA art. 16(3)": "shall be considered to give rise to actual knowledge or awareness for the purposes of Article 6",
    "DSA art. 16(4)": "send a confirmation of receipt of the notice",
    "DSA art. 16(5)": "notify that individual or entity of its decision",
    "CPI L. 122-4": (
        "Toute représentation ou reproduction intégrale ou partielle faite sans le consentement de "
        "l'auteur ou de ses ayants droit ou ayants cause est illicite."
    ),
    "CPI L. 335-2": "est une contrefaçon et toute contrefaçon est un délit.",
    "CPI L. 335-3": (
        "Est également un délit de contrefaçon toute reproduction, représentation ou diffusion, par "
        "quelque moyen que ce soit, d'une oeuvre de l'esprit en violation des droits de l'auteur"
    ),
    "CPI L. 321-1": "Les organismes de gestion collective sont des personnes morales",
    "CPI L. 321-2": (
        "ont qualité pour ester en justice pour la défense des droits dont ils ont statutairement la charge."
    ),
    "LCEN art. 6 (SREN)": "as rewritten by law No. 2024-449 of 21 May 2024 (SREN)",
}

# A citation as the texts write it (English or French) → the article it names.
_PATTERNS = (
    (re.compile(r"\bL\. (\d{3}-\d+)"), lambda m: f"CPI L. {m[1]}"),
    (re.compile(r"\b[Aa]rt(?:icle|\.) (\d+)\((\d+|[a-z])\)"), lambda m: f"DSA art. {m[1]}({m[2]})"),
    (re.compile(r"\b[Aa]rt(?:icle|\.) (\d+), paragraphes? (\d+)"), lambda m: f"DSA art. {m[1]}({m[2]})"),
    (re.compile(r"\b[Aa]rticle 3, point h\)"), lambda m: "DSA art. 3(h)"),
    (re.compile(r"(?:loi n°|law No\.) 2004-575"), lambda m: "LCEN art. 6 (SREN)"),
)


def cited(text: str) -> set[str]:
    return {name(m) for pattern, name in _PATTERNS for m in pattern.finditer(text)}


def eu_texts() -> list[tuple[str, str]]:
    out = []
    for language in ("fr", "en"):
        for search_engine in (False, True):
            for level in (0, 1, 2):
                d = dataclasses.replace(data("eu", language, search_engine=search_engine), escalation_level=level)
                out.append(
                    (f"{language}-{search_engine}-{level}", legal.render_subject(d) + "\n" + legal.render_body(d))
                )
    return out


def test_each_cited_article_is_pinned_to_the_wording_relied_on():
    assert set(legal.CITED_ARTICLES) == set(PINNED)
    for article, words in PINNED.items():
        assert words in legal.CITED_ARTICLES[article], article


@pytest.mark.parametrize(("case", "text"), eu_texts())
def test_an_eu_notice_cites_only_pinned_articles(case, text):
    found = cited(text)
    assert found <= set(legal.CITED_ARTICLES), found - set(legal.CITED_ARTICLES)
    assert {"DSA art. 16(2)", "DSA art. 3(h)", "CPI L. 122-4", "CPI L. 335-3", "CPI L. 321-1"} <= found


@pytest.mark.parametrize(("case", "text"), eu_texts())
def test_no_text_cites_the_law_as_it_was_before_2024(case, text):
    assert "6, I, 2" not in text and "6-I-2" not in text and "6-I-5" not in text and "L. 331-1" not in text
    assert "L. 335-4" not in text  # neighbouring rights (performers, producers): not an authors' society's
    for paragraph in text.split("\n\n"):
        if "2004-575" in paragraph:
            assert "2024-449" in paragraph  # LCEN only as amended by the SREN law


@pytest.mark.parametrize("language", ["fr", "en"])
def test_article_6_is_worded_as_the_condition_of_an_exemption_not_as_a_duty(language):
    text = legal.STATEMENTS["eu"][language]["knowledge"]
    sentence = next(s for s in re.split(r"(?<=\.) ", text) if re.search(r"6, paragraphe 1|6\(1\)", s))
    assert re.search(r"exemption|exonération", sentence)
    assert not re.search(r"\b(requires?|required|obliges?|impose|exige|oblige|must|doit)\b", sentence)
    assert not re.search(r"(requires?|exige)", " ".join(legal.STATEMENTS["eu"][language].values()))


def test_a_delisting_notice_does_not_claim_the_hosting_rules_bind_a_search_engine():
    for language in ("fr", "en"):
        statement = legal.STATEMENTS["eu"][language]["request_delist"]
        assert "16" in statement and not re.search(
            r"6\(1\)|6, paragraphe 1|connaissance effective|actual knowledge", statement
        )
        body = legal.render_body(data("eu", language, search_engine=True))
        assert legal.STATEMENTS["eu"][language]["knowledge"] not in body


def test_the_good_faith_statement_follows_article_16_2_d():
    assert "bona fide belief" in legal.STATEMENTS["eu"]["en"]["good_faith"]
    assert "accurate and complete" in legal.STATEMENTS["eu"]["en"]["good_faith"]
    assert "de bonne foi" in legal.STATEMENTS["eu"]["fr"]["good_faith"]
    assert "exactes et complètes" in legal.STATEMENTS["eu"]["fr"]["good_faith"]
