"""The dossier's PDF report, drawn with ReportLab (pure Python: no system library needed).

Fonts: Bitstream Vera, shipped inside ReportLab, so accented French text renders everywhere.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
MAX_ROWS = 500  # per table; the rest is counted, the data stays in the ZIP


@dataclass
class Section:
    title: str
    paragraphs: list[str]
    header: list[str] | None = None
    rows: list[list[Any]] | None = None
    more: int = 0


def _fonts() -> tuple[str, str]:
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Vera", str(FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("VeraBd", str(FONT_DIR / "VeraBd.ttf")))
    return "Vera", "VeraBd"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=bold, fontSize=18),
        "h": ParagraphStyle("h", parent=base["Heading2"], fontName=bold, fontSize=12, spaceBefore=8),
        "p": ParagraphStyle("p", parent=base["BodyText"], fontName=regular, fontSize=9, leading=12),
        "cell": ParagraphStyle("c", parent=base["BodyText"], fontName=regular, fontSize=7, leading=9),
        "head": ParagraphStyle("hd", parent=base["BodyText"], fontName=bold, fontSize=7, leading=9),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    # Long unbroken tokens (hashes, URLs) are split by the styles' splitLongWords (ReportLab's default).
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def render(title: str, subtitle: list[str], sections: list[Section]) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="Sentinelle",
    )
    story: list[Any] = [Paragraph(escape(title), styles["title"])]
    story += [_p(line, styles["p"]) for line in subtitle]
    for section in sections:
        story.append(Paragraph(escape(section.title), styles["h"]))
        story += [_p(text, styles["p"]) for text in section.paragraphs]
        if section.header and section.rows:
            story.append(_table(section, styles, doc.width))
        if section.more:
            story.append(_p(_("… and %(n)s more (in the ZIP).") % {"n": section.more}, styles["p"]))
        story.append(Spacer(1, 4 * mm))
    doc.build(story, onLaterPages=_footer(title), onFirstPage=_footer(title))
    return buffer.getvalue()


def _table(section: Section, styles: dict[str, ParagraphStyle], width: float) -> LongTable:
    assert section.header is not None and section.rows is not None
    data = [[_p(h, styles["head"]) for h in section.header]]
    data += [[_p(c, styles["cell"]) for c in row] for row in section.rows[:MAX_ROWS]]
    table = LongTable(data, colWidths=[width / len(section.header)] * len(section.header), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _footer(title: str) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Vera", 7)
        canvas.drawString(15 * mm, 8 * mm, f"{title} — {_('page')} {doc.page}")
        canvas.restoreState()

    return draw
