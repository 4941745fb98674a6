"""The roll-up as a printable PDF (fpdf2): the rule, the ranking as bars, the tables x
strategies matrix shaded like the page's heat map (with its numbers), regional themes with
their rank at each table, what is not in the plan, participation and movement over time.
User text is drawn as plain text; characters the PDF fonts lack degrade as in a session's
report (`results.pdf_report.pdf_text`). Written in one `Language`, as a session's report is:
its fixed words translated, and the plan's strategies and the tables' themes named as the
roll-up page names them for a reader of that language."""

from __future__ import annotations

from fpdf.fonts import FontFace

from workshop.collections.model import EQUAL, PARTICIPANTS, Rollup
from workshop.collections.rule import paragraphs
from workshop.collections.tables import heat_level, pct, table_rank
from workshop.messages import ENGLISH, N_, Language
from workshop.results.pdf_report import FONT, INK, MUTED, clipped, count, pdf_text, role_name
from workshop.results.pdf_report import Report as _Report
from workshop.results.tables import iso

PLAIN, NO_VOTE = FontFace(color=INK, fill_color=(255, 255, 255)), (236, 239, 242)
# The page's heat-map steps (share of a table's points), lightest first, as RGB.
HEAT = (
    (255, 255, 255),
    (222, 235, 247),
    (178, 207, 235),
    (107, 163, 214),
    (33, 102, 172),
    (8, 48, 107),
)


def render(rollup: Rollup, language: Language = ENGLISH) -> bytes:
    pdf = _Report(rollup.name, language)
    pdf.set_title(pdf_text(rollup.name))
    pdf.set_creator("workshop")
    pdf.set_creation_date(rollup.generated_at)
    pdf.add_page()
    pdf.heading(rollup.name, size=18)
    pdf.set_text_color(*MUTED)
    pdf.paragraph(
        pdf.say(
            N_("Regional roll-up of {tables} tables ({voted} voted) - as of {moment}"),
            tables=len(rollup.tables),
            voted=len(rollup.voting_tables),
            moment=iso(rollup.generated_at),
        )
    )
    pdf.set_text_color(*INK)
    _rule(pdf)
    _ranking(pdf, rollup)
    _matrix(pdf, rollup)
    _regional(pdf, rollup)
    _off_plan(pdf, rollup)
    _participation(pdf, rollup)
    _over_time(pdf, rollup)
    return bytes(pdf.output())


def _rule(pdf: _Report) -> None:
    pdf.heading(pdf.say(N_("How strategies are ranked")), size=12)
    for text in paragraphs(EQUAL):
        pdf.paragraph(pdf.say(text), size=9)
    weighted = pdf.say(paragraphs(PARTICIPANTS)[2])
    pdf.paragraph(pdf.say(N_("Weighted by participants: {rule}"), rule=weighted), size=9)


def _name(pdf: _Report, rollup: Rollup, key: str, name: str) -> str:
    """A strategy as the page names it in the report's language; a regional theme as named."""
    strategy = rollup.plan.get(key)
    return strategy.name_in(pdf.language.code) if strategy else name


def _tied(pdf: _Report, tied: bool) -> str:
    return " " + pdf.say(N_("(tied)")) if tied else ""


def _ranking(pdf: _Report, rollup: Rollup) -> None:
    pdf.heading(pdf.say(N_("Strategies across tables")))
    ranked = [i for i in rollup.strategies if i.scores[EQUAL].rank is not None]
    top = max((float(i.scores[EQUAL].value) for i in ranked), default=0)
    for item in ranked:
        score, weighted = item.scores[EQUAL], item.scores[PARTICIPANTS]
        figures = pdf.say(
            N_(
                "{share}% · weighted by participants {weighted}% (rank {rank}) · first at "
                "{first}, named at {named}"
            ),
            share=pct(score.value),
            weighted=pct(weighted.value),
            rank=weighted.rank,
            first=item.first_at,
            named=item.named_at,
        )
        title = f"{score.rank}. {_name(pdf, rollup, item.key, item.name)}{_tied(pdf, score.tied)}"
        pdf.bar(title, float(score.value), top, figures)
    unnamed = [
        _name(pdf, rollup, i.key, i.name) for i in rollup.strategies if i.scores[EQUAL].rank is None
    ]
    if unnamed:
        text = pdf.say(N_("No table gave points to: {names}"), names="; ".join(unnamed))
        pdf.paragraph(text, style="I", size=9)
    if rollup.quiet_tables:
        names = "; ".join(t.name for t in rollup.quiet_tables)
        pdf.paragraph(pdf.say(N_("Left out (no ballot): {names}"), names=names), style="I", size=9)
    if rollup.interim_tables:
        names = "; ".join(t.name for t in rollup.interim_tables)
        interim = N_(
            "Interim tallies (the vote was still open when the results were read): {names}"
        )
        pdf.paragraph(pdf.say(interim, names=names), style="I", size=9)


# Tables side by side on one landscape page: beyond this a cell is too narrow for "41.7% (12)",
# so a regional day's matrix continues in blocks, each repeating the strategy column.
TABLES_PER_BLOCK = 12
# The longest strategy name and table name the matrix draws whole (a row must fit one page).
NAME_LIMIT, TABLE_NAME_LIMIT = 160, 90


def _matrix(pdf: _Report, rollup: Rollup) -> None:
    """Strategies down, tables across; each cell the share in % (rank), shaded."""
    pdf.add_page(orientation="L")
    pdf.heading(
        pdf.say(N_("Tables x strategies (share of each table's points, rank at the table)"))
    )
    tables = list(enumerate(rollup.tables))
    blocks = [tables[i : i + TABLES_PER_BLOCK] for i in range(0, len(tables), TABLES_PER_BLOCK)]
    for block in blocks or [[]]:
        if len(blocks) > 1:
            first, last = block[0][0] + 1, block[-1][0] + 1
            which = pdf.say(
                N_("Tables {first}-{last} of {count}"), first=first, last=last, count=len(tables)
            )
            pdf.paragraph(which, style="B", size=9)
        _matrix_block(pdf, rollup, block)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*MUTED)
    legend = N_("Grey, empty: the table held no vote. '-': the table gave it no points.")
    pdf.paragraph(pdf.say(legend), size=8)
    pdf.set_text_color(*INK)


def _matrix_block(pdf: _Report, rollup: Rollup, block: list) -> None:
    """The matrix for some of the tables (index, table), as one fpdf2 table."""
    across = max(min(len(rollup.tables), TABLES_PER_BLOCK), 1)  # every block's cells as wide
    name_width = min(70, pdf.epw * 0.3)
    cell_width = (pdf.epw - name_width) / across
    pdf.set_font(FONT, "", 7 if across > 8 else 8)
    names = [clipped(t.name, TABLE_NAME_LIMIT) for _, t in block]
    heads = [pdf.say(N_("Strategy"))] + [
        name if t.voted else pdf.say(N_("{table} (no vote)"), table=name)
        for name, (_, t) in zip(names, block, strict=True)
    ]
    header_style = FontFace(emphasis="BOLD", fill_color=HEAT[1])
    with pdf.table(
        width=name_width + cell_width * len(block),
        col_widths=(name_width, *[cell_width] * len(block)),
        text_align=("LEFT", *["CENTER"] * len(block)),
        align="LEFT",
        markdown=False,
        headings_style=header_style,
        line_height=4.5,
    ) as table:
        table.row([pdf_text(h) for h in heads])
        for item in rollup.strategies:
            row = table.row()
            name = clipped(_name(pdf, rollup, item.key, item.name), NAME_LIMIT)
            row.cell(pdf_text(name), style=PLAIN)
            for index, _ in block:
                _matrix_cell(row, item.cells[index])
    pdf.ln(3)


def _matrix_cell(row, cell) -> None:
    if cell is None:
        row.cell("", style=FontFace(fill_color=NO_VOTE))
        return
    level = heat_level(cell.share)
    ink = (255, 255, 255) if level >= 4 else INK
    text = "-" if not cell.points else f"{pct(cell.share):g}% ({cell.rank})"
    row.cell(text, style=FontFace(color=ink, fill_color=HEAT[level]))


def _regional(pdf: _Report, rollup: Rollup) -> None:
    pdf.add_page()
    pdf.heading(pdf.say(N_("Regional themes")))
    if not rollup.regional:
        pdf.paragraph(pdf.say(N_("No regional theme has been confirmed yet.")))
    for entry in rollup.regional:
        score = entry.item.scores[EQUAL]
        rank = f"{score.rank}. " if score.rank else ""
        pdf.paragraph(f"{rank}{entry.item.name} - {pct(score.value)}%", style="B", size=11)
        for index, theme in entry.members:
            table = rollup.tables[index]
            member = pdf.say(
                N_("{table}: “{title}”, rank {rank}"),
                table=table.name,
                title=theme.title_in(pdf.language.code),
                rank=pdf.say(table_rank(table, theme.rank)),  # a number, or why there is none
            )
            pdf.paragraph(member, style="I", size=9)
            for answer in theme.answers:
                pdf.paragraph(f"- {answer.text}", size=9)


def _off_plan(pdf: _Report, rollup: Rollup) -> None:
    pdf.heading(pdf.say(N_("Not in the plan")))
    if not rollup.off_plan:
        pdf.paragraph(
            pdf.say(N_("Every theme a table gave points to serves a strategy of the plan."))
        )
    for o in rollup.off_plan:
        line = pdf.say(
            N_("{table}: {title} - rank {rank}, {share}%"),
            table=rollup.tables[o.table_index].name,
            title=o.theme.title_in(pdf.language.code),
            rank=o.theme.rank,
            share=pct(o.share),
        )
        if o.regional_title:
            line += " " + pdf.say(N_("(regional theme: {title})"), title=o.regional_title)
        pdf.paragraph(line)


def _participation(pdf: _Report, rollup: Rollup) -> None:
    pdf.heading(pdf.say(N_("Participation")))
    words = rollup.words_in(pdf.language.code)  # questions and roles in the report's language
    for table in rollup.tables:
        snap = table.snapshot
        roles = ", ".join(
            f"{role_name(pdf, words.get(r.role, r.role))} {r.participants}" for r in snap.by_role
        )
        line = pdf.say(
            N_("{table}: {participants}, {responding}, {ballots} ({roles})"),
            table=table.name,
            participants=count(
                pdf, snap.participants, N_("{n} participant"), N_("{n} participants")
            ),
            responding=count(pdf, snap.responding, N_("1 answered"), N_("{n} answered")),
            ballots=count(
                pdf, snap.vote.ballots_cast if snap.vote else 0, N_("{n} ballot"), N_("{n} ballots")
            ),
            roles=roles,
        )
        pdf.paragraph(line, size=9)
    for question, answers, _ in rollup.questions:
        counted = count(pdf, answers, N_("{n} answer"), N_("{n} answers"))
        line = pdf.say(
            N_("{question}: {answers}"), question=words.get(question, question), answers=counted
        )
        pdf.paragraph(line, size=9)


def _over_time(pdf: _Report, rollup: Rollup) -> None:
    moved = rollup.over_time
    if moved is None:
        return
    pdf.heading(pdf.say(N_("Since {name}"), name=moved.earlier_name))
    tables = ", ".join(moved.tables) or pdf.say(N_("none"))
    pdf.paragraph(pdf.say(N_("Tables in both rounds: {tables}"), tables=tables), size=9)
    for m in (*moved.strategies, *moved.regional):
        change = pct(m.value) - pct(m.earlier_value)
        line = pdf.say(
            N_("{name}: rank {earlier_rank} -> {rank}, {earlier_share}% -> {share}% ({change})"),
            name=_name(pdf, rollup, m.key, m.name),
            earlier_rank=m.earlier_rank or "-",
            rank=m.rank or "-",
            earlier_share=pct(m.earlier_value),
            share=pct(m.value),
            change=f"{change:+.1f}",
        )
        pdf.paragraph(line, size=9)
