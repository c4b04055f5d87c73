"""The damage model (docs/damages.md). Imports no Django.

lawful units lost = visits/day x days x share of visits taking music x items per such visit
                    x share of the society's repertoire x substitution rate
damage (EUR)      = lawful units lost x value of a lawful unit (EUR)

The substitution rate is the share of illegal copies that replaced a lawful purchase or stream;
published studies find far less than one (docs/damages.md cites them), hence three figures: low,
central and high, one per substitution rate. Every other input is a single value; each carries
its source as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# name -> (lower bound, upper bound or None)
INPUTS: dict[str, tuple[Decimal, Decimal | None]] = {
    "visits_per_day": (Decimal(0), None),
    "period_days": (Decimal(0), None),
    "music_share": (Decimal(0), Decimal(1)),
    "items_per_visit": (Decimal(0), None),
    "repertoire_share": (Decimal(0), Decimal(1)),
    "unit_value_eur": (Decimal(0), None),
    "substitution_low": (Decimal(0), Decimal(1)),
    "substitution_central": (Decimal(0), Decimal(1)),
    "substitution_high": (Decimal(0), Decimal(1)),
}
VOLUME = ("visits_per_day", "period_days", "music_share", "items_per_visit", "repertoire_share")
CENT = Decimal("0.01")

# The defaults of the substitution rates, with their sources (docs/damages.md, "Substitution").
DEFAULT_SUBSTITUTION = {
    "substitution_low": (
        Decimal("0.15"),
        "Waldfogel (2010), Information Economics and Policy 22(4): one more song taken unlawfully "
        "reduces paid consumption by between a sixth and a third of a song (lower bound, 0.15).",
    ),
    "substitution_central": (
        Decimal("0.2"),
        "Rob & Waldfogel (2006), Journal of Law and Economics 49(1): about 0.2 lawful album purchases "
        "lost per album downloaded.",
    ),
    "substitution_high": (
        Decimal("0.3"),
        "Waldfogel (2010), Information Economics and Policy 22(4): upper bound, 0.3.",
    ),
}


class DamageInputError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Estimate:
    units_before_substitution: Decimal
    low: Decimal
    central: Decimal
    high: Decimal
    arithmetic: tuple[str, ...]


def parse_inputs(raw: Mapping[str, object]) -> dict[str, Decimal]:
    """The inputs as Decimals, each checked against its bounds; DamageInputError names the bad one."""
    values: dict[str, Decimal] = {}
    for name, (lower, upper) in INPUTS.items():
        if name not in raw or raw[name] in (None, ""):
            raise DamageInputError(name, "missing")
        try:
            value = Decimal(str(raw[name]).strip().replace(",", "."))
        except InvalidOperation:
            raise DamageInputError(name, f"not a number: {raw[name]!r}") from None
        if not value.is_finite() or value < lower or (upper is not None and value > upper):
            bound = f"between {lower} and {upper}" if upper is not None else f"at least {lower}"
            raise DamageInputError(name, f"must be {bound}, got {value}")
        values[name] = value
    if not values["substitution_low"] <= values["substitution_central"] <= values["substitution_high"]:
        raise DamageInputError("substitution_central", "the rates must satisfy low <= central <= high")
    return values


def _fmt(value: Decimal) -> str:
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text or "0"


def estimate(raw: Mapping[str, object]) -> Estimate:
    values = parse_inputs(raw)
    units = Decimal(1)
    for name in VOLUME:
        units *= values[name]
    value = values["unit_value_eur"]
    figures = {
        level: (units * values[f"substitution_{level}"] * value).quantize(CENT, ROUND_HALF_UP)
        for level in ("low", "central", "high")
    }
    volume = " x ".join(_fmt(values[name]) for name in VOLUME)
    lines = [f"units taken = {volume} = {_fmt(units)}"]
    for level, figure in figures.items():
        rate = values[f"substitution_{level}"]
        lines.append(f"{level} = {_fmt(units)} x {_fmt(rate)} x EUR {_fmt(value)} = EUR {figure:,.2f}")
    return Estimate(units, figures["low"], figures["central"], figures["high"], tuple(lines))
