"""The printable report as a PDF (fpdf2, pure Python): the results page's sections in order.

User text is drawn as plain text, never parsed as markup. The PDF's built-in fonts cover
Windows-1252 (accents, curly quotes, dashes, €); other characters are spelled without their
accents where Unicode allows (ő → o) and shown as `?` otherwise. The HTML report, printed from
the browser, shows every character.

The report is written in one `Language`: its fixed words are English templates marked with
`N_`, translated by the language the caller gives (the page's, for a download; English
unless `--lang` says otherwise, on the command line). The results it prints are built in that
language too (the agenda's translations, themes' Spanish titles).
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.fonts import FontFace

from workshop.messages import ENGLISH, N_, Language
from workshop.results.model import ENDED, LIVE, NOT_STARTED, ResponseRow, Results, ThemeResult
from workshop.results.tables import NO_ROLE, iso

ENCODING = "windows-1252"
FONT = "Helvetica"
BAR_WIDTH = 70  # millimetres for the longest bar
CELL_LIMIT = 300  # characters of a table cell drawn whole (`clipped`)
INK, MUTED, BAR, HEADER_FILL = (20, 20, 20), (95, 95, 95), (46, 92, 184), (232, 236, 244)
STATUS = {NOT_STARTED: N_("not started"), LIVE: N_("live"), ENDED: N_("ended")}


def pdf_text(text: str) -> str:
    """Text the built-in fonts can draw: unchanged where they can, degraded where not."""
    text = unicodedata.normalize("NFC", text)
    return "".join(_drawable(char) for char in text)


def clipped(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis: a table's row must fit on one page,
    and a name of thousands of characters (an imported file may hold one) would not. The
    spreadsheets and the JSON keep the whole text."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
    def __init__(self, title: str, language: Language = ENGLISH):
        super().__init__(format="Letter")
        self.core_fonts_encoding = ENCODING
        self.language = language
        self.say = language.say  # an N_ template in the report's language, filled in
        self.report_title = pdf_text(title)
        self.set_auto_page_break(True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        page = self.say(
            N_("{title} - page {page}"), title=self.report_title[:90], page=self.page_no()
        )
        self.cell(0, 5, pdf_text(page), align="C")

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
        # Wrapped within the margin: a roll-up's figures, in Spanish, are longer than a line.
        self.multi_cell(
            self.epw - BAR_WIDTH - 3, 5.5, pdf_text(figures), new_x="LMARGIN", new_y="NEXT"
        )
        self.set_text_color(*INK)


Report = _Report  # the page layout, shared with the roll-up's report


def render(results: Results, language: Language = ENGLISH) -> bytes:
    """The report in `language`; `results` should be built in it (`build_results(lang=...)`)."""
    pdf = _Report(results.title, language)
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
    status = pdf.say(STATUS.get(results.status, results.status))
    pdf.paragraph(
        pdf.say(
            N_("Date: {day} - status: {status} - results as of {moment}"),
            day=day,
            status=status,
            moment=iso(results.generated_at),
        )
    )
    pdf.set_text_color(*INK)
    if results.purpose:
        pdf.heading(pdf.say(N_("Purpose")), size=12)
        pdf.paragraph(results.purpose)


def _ranking(pdf: _Report, results: Results) -> None:
    pdf.heading(pdf.say(N_("Priorities")))
    vote = results.vote
    if vote is None:
        pdf.paragraph(pdf.say(N_("No vote has been held yet.")))
        return
    state = N_("Voting is still open: a live tally.") if vote.is_open else N_("Final ranking.")
    ballots = count(pdf, len(vote.ballots), N_("{n} ballot cast"), N_("{n} ballots cast"))
    pdf.paragraph(
        pdf.say(
            N_("Round {round}. {state} {ballots}."),
            round=vote.round_number,
            state=pdf.say(state),
            ballots=ballots,
        )
    )
    ranked = [item for item in results.themes if item.rank is not None]
    top = max((item.points or 0 for item in ranked), default=0)
    for item in ranked:
        pdf.bar(_rank_title(pdf, item), item.points or 0, top, _figures(pdf, item))


def _rank_title(pdf: _Report, item: ThemeResult) -> str:
    return f"{item.rank}. {item.title}" + (" " + pdf.say(N_("(tied)")) if item.tied else "")


def _figures(pdf: _Report, item: ThemeResult) -> str:
    return " · ".join(
        (
            count(pdf, item.points, N_("{n} point"), N_("{n} points")),
            count(pdf, item.first_choices, N_("{n} first choice"), N_("{n} first choices")),
            count(pdf, item.ballots, N_("{n} ballot"), N_("{n} ballots")),
        )
    )


def count(pdf: _Report, number: int | None, one: str, other: str) -> str:
    """A number with its noun, "1 point" or "3 points" (English and Spanish both use the
    singular for 1 only)."""
    return pdf.say(one if number == 1 else other, n=number)


def _themes(pdf: _Report, results: Results) -> None:
    pdf.heading(pdf.say(N_("Themes and the responses behind them")))
    for item in results.themes:
        title = (
            _rank_title(pdf, item)
            if item.rank is not None
            else pdf.say(N_("{title} (not voted on)"), title=item.title)
        )
        pdf.paragraph(title, style="B", size=11)
        if item.description:
            pdf.paragraph(item.description)
        if item.strategies:
            serves = "; ".join(s.name for s in item.strategies)
            pdf.paragraph(pdf.say(N_("Serves:")) + " " + serves, style="I")
        _groups(pdf, item.questions)
    if results.unsorted:
        pdf.heading(pdf.say(N_("Responses not in a theme")), size=12)
        _groups(pdf, results.unsorted)


def _groups(pdf: _Report, groups) -> None:
    for group in groups:
        pdf.set_text_color(*MUTED)
        pdf.paragraph(group.question, style="B", size=9)
        pdf.set_text_color(*INK)
        for row in group.responses:
            tag = f" [{row.strategy.name}]" if row.strategy else ""
            pdf.paragraph(f"- {row.text}{tag} · {_participant(pdf, row)}")


def _participant(pdf: _Report, row: ResponseRow) -> str:
    label = pdf.say(N_("Participant {number}"), number=row.participant)
    return label + (" " + pdf.say(N_("(paper)")) if row.paper else "")


def role_name(pdf: _Report, role: str | None) -> str:
    return role if role else pdf.say(NO_ROLE)


def _participation(pdf: _Report, results: Results) -> None:
    part = results.participation
    pdf.heading(pdf.say(N_("Participation")))
    participants = count(pdf, part.participants, N_("{n} participant"), N_("{n} participants"))
    pdf.paragraph(
        pdf.say(
            N_("{participants} ({paper} on paper); {responding} answered at least once."),
            participants=participants,
            paper=part.paper,
            responding=part.responding,
        )
    )
    if part.ballots_cast is not None:
        cast = (N_("{n} ballot cast"), N_("{n} ballots cast"))
        pdf.paragraph(count(pdf, part.ballots_cast, *cast) + ".")
    top = max((role.participants for role in part.by_role), default=0)
    for role in part.by_role:
        paper = " " + pdf.say(N_("({n} on paper)"), n=role.paper) if role.paper else ""
        figures = f"{role.participants}{paper}"
        pdf.bar(role_name(pdf, role.role), role.participants, top, figures)
    pdf.ln(2)
    rows = [(q.question, str(q.responses)) for q in part.per_question]
    headers = (pdf.say(N_("Question")), pdf.say(N_("Responses")))
    _table(pdf, headers, rows, (140, 40))


def _agenda(pdf: _Report, results: Results) -> None:
    pdf.heading(pdf.say(N_("The agenda as it ran")))
    not_run = pdf.say(N_("not run"))
    rows = [
        (
            f"{s.index + 1}. {s.title}",
            _minutes(s.planned_minutes, s.limit_minutes),
            not_run if s.actual_minutes is None else f"{s.actual_minutes:g}",
        )
        for s in results.agenda_run
    ]
    headers = (N_("Segment"), N_("Planned minutes"), N_("Actual minutes"))
    _table(pdf, tuple(pdf.say(h) for h in headers), rows, (100, 40, 40))


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
            table.row([pdf_text(clipped(cell, CELL_LIMIT)) for cell in row])
    pdf.set_font(FONT, "", 10)
