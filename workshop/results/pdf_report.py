"""The printable report as a PDF (fpdf2, pure Python): the results page's sections in order.

User text is drawn as plain text, never parsed as markup. The PDF's built-in fonts cover
Windows-1252 (accents, curly quotes, dashes, €); other characters are spelled without their
accents where Unicode allows (ő → o) and shown as `?` otherwise. The HTML report, printed from
the browser, shows every character.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.fonts import FontFace

from workshop.results.model import Results, ThemeResult
from workshop.results.tables import iso, participant_label, role_label

ENCODING = "windows-1252"
FONT = "Helvetica"
BAR_WIDTH = 70  # millimetres for the longest bar
INK, MUTED, BAR, HEADER_FILL = (20, 20, 20), (95, 95, 95), (46, 92, 184), (232, 236, 244)


def pdf_text(text: str) -> str:
    """Text the built-in fonts can draw: unchanged where they can, degraded where not."""
    text = unicodedata.normalize("NFC", text)
    return "".join(_drawable(char) for char in text)


def _drawable(char: str) -> str:
    try:
        char.encode(ENCODING)
        return char
    except UnicodeEncodeError:
        stripped = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        return stripped if stripped and stripped.isascii() else "?"


class _Report(FPDF):
    def __init__(self, title: str):
        super().__init__(format="Letter")
        self.core_fonts_encoding = ENCODING
        self.report_title = pdf_text(title)
        self.set_auto_page_break(True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.report_title[:90]} - page {self.page_no()}", align="C")

    def heading(self, text: str, size: int = 14) -> None:
        self.ln(3)
        self.set_font(FONT, "B", size)
        self.set_text_color(*INK)
        self.paragraph(text, height=size * 0.5)

    def paragraph(self, text: str, height: float = 5, style: str = "", size: int = 10) -> None:
        if style or size != 10:
            self.set_font(FONT, style, size)
        self.multi_cell(0, height, pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 10)

    def bar(self, label: str, value: float, top: float, figures: str) -> None:
        """One bar of a chart: the label above it, the figures after it."""
        self.paragraph(label, style="B")
        width = BAR_WIDTH * value / top if top else 0
        self.set_fill_color(*BAR)
        if width:
            self.rect(self.l_margin + self.c_margin, self.get_y() + 1, width, 3.5, style="F")
        self.set_x(self.l_margin + BAR_WIDTH + 3)
        self.set_text_color(*MUTED)
        self.cell(0, 5.5, pdf_text(figures), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)


Report = _Report  # the page layout, shared with the roll-up's report


def render(results: Results) -> bytes:
    pdf = _Report(results.title)
    pdf.set_title(pdf_text(results.title))
    pdf.set_creator("workshop")
    pdf.set_creation_date(results.generated_at)
    pdf.add_page()
    _cover(pdf, results)
    _ranking(pdf, results)
    _themes(pdf, results)
    _participation(pdf, results)
    _agenda(pdf, results)
    return bytes(pdf.output())


def _cover(pdf: _Report, results: Results) -> None:
    pdf.heading(results.title, size=18)
    day = (results.started_at or results.created_at).date().isoformat()
    pdf.set_text_color(*MUTED)
    pdf.paragraph(
        f"Date: {day} - status: {results.status} - results as of {iso(results.generated_at)}"
    )
    pdf.set_text_color(*INK)
    if results.purpose:
        pdf.heading("Purpose", size=12)
        pdf.paragraph(results.purpose)


def _ranking(pdf: _Report, results: Results) -> None:
    pdf.heading("Priorities")
    vote = results.vote
    if vote is None:
        pdf.paragraph("No vote has been held yet.")
        return
    state = "Voting is still open: a live tally." if vote.is_open else "Final ranking."
    pdf.paragraph(f"Round {vote.round_number}. {state} {len(vote.ballots)} ballots cast.")
    ranked = [item for item in results.themes if item.rank is not None]
    top = max((item.points or 0 for item in ranked), default=0)
    for item in ranked:
        pdf.bar(_rank_title(item), item.points or 0, top, _figures(item))


def _rank_title(item: ThemeResult) -> str:
    return f"{item.rank}. {item.title}" + (" (tied)" if item.tied else "")


def _figures(item: ThemeResult) -> str:
    return " · ".join(
        (
            _count(item.points, "point"),
            _count(item.first_choices, "first choice"),
            _count(item.ballots, "ballot"),
        )
    )


def _count(number: int | None, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _themes(pdf: _Report, results: Results) -> None:
    pdf.heading("Themes and the responses behind them")
    for item in results.themes:
        title = _rank_title(item) if item.rank is not None else f"{item.title} (not voted on)"
        pdf.paragraph(title, style="B", size=11)
        if item.description:
            pdf.paragraph(item.description)
        if item.strategies:
            pdf.paragraph("Serves: " + "; ".join(s.name for s in item.strategies), style="I")
        _groups(pdf, item.questions)
    if results.unsorted:
        pdf.heading("Responses not in a theme", size=12)
        _groups(pdf, results.unsorted)


def _groups(pdf: _Report, groups) -> None:
    for group in groups:
        pdf.set_text_color(*MUTED)
        pdf.paragraph(group.question, style="B", size=9)
        pdf.set_text_color(*INK)
        for row in group.responses:
            tag = f" [{row.strategy.name}]" if row.strategy else ""
            pdf.paragraph(f"- {row.text}{tag} · {participant_label(row)}")


def _participation(pdf: _Report, results: Results) -> None:
    part = results.participation
    pdf.heading("Participation")
    pdf.paragraph(
        f"{part.participants} participants ({part.paper} on paper); "
        f"{part.responding} answered at least once."
    )
    if part.ballots_cast is not None:
        pdf.paragraph(f"{part.ballots_cast} ballots cast.")
    top = max((role.participants for role in part.by_role), default=0)
    for role in part.by_role:
        paper = f" ({role.paper} on paper)" if role.paper else ""
        pdf.bar(role_label(role.role), role.participants, top, f"{role.participants}{paper}")
    pdf.ln(2)
    rows = [(q.question, str(q.responses)) for q in part.per_question]
    _table(pdf, ("Question", "Responses"), rows, (140, 40))


def _agenda(pdf: _Report, results: Results) -> None:
    pdf.heading("The agenda as it ran")
    rows = [
        (
            f"{s.index + 1}. {s.title}",
            _minutes(s.planned_minutes, s.limit_minutes),
            "not run" if s.actual_minutes is None else f"{s.actual_minutes:g}",
        )
        for s in results.agenda_run
    ]
    _table(pdf, ("Segment", "Planned minutes", "Actual minutes"), rows, (100, 40, 40))


def _minutes(planned: float, limit: float) -> str:
    return f"{planned:g}" if limit == planned else f"{planned:g}-{limit:g}"


def _table(pdf: _Report, headers: tuple[str, ...], rows: list, widths: tuple) -> None:
    pdf.set_font(FONT, "", 9)
    pdf.set_fill_color(*HEADER_FILL)
    style = FontFace(emphasis="BOLD", fill_color=HEADER_FILL)
    with pdf.table(
        col_widths=widths, text_align="LEFT", markdown=False, headings_style=style
    ) as table:
        table.row([pdf_text(h) for h in headers])
        for row in rows:
            table.row([pdf_text(cell) for cell in row])
    pdf.set_font(FONT, "", 10)
