"""WTForms forms of the agenda editor, and putting `parse_agenda`'s problems next to fields.

The fields have no validators of their own: the rules live once, in `parse_agenda`, whose
problem paths (`segments[2].minutes`) name the field to show each message beside. Numbers
are text fields so that whatever was typed comes back on an error. Sub-forms are plain
`wtforms.Form`s; the one CSRF token belongs to the page's `FlaskForm`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import Field

from workshop.agenda.parse import MINUTES_WRONG
from workshop.messages import N_, Message
from workshop.web import i18n

SEGMENT_KIND_CHOICES = [
    SelectChoice("overview", lazy_gettext("Overview: purpose, agreements and the agenda")),
    SelectChoice("prompts", lazy_gettext("Questions: participants write short answers")),
    SelectChoice("themes", lazy_gettext("Themes: facilitators group the answers")),
    SelectChoice("vote", lazy_gettext("Vote: participants prioritize")),
    SelectChoice("results", lazy_gettext("Results: the vote's outcome")),
    SelectChoice("break", lazy_gettext("Break")),
]
CANDIDATE_CHOICES = [
    SelectChoice("themes", lazy_gettext("The themes made in the session")),
    SelectChoice("strategies", lazy_gettext("The strategies of the segment's framework")),
    SelectChoice("list", lazy_gettext("A fixed list (below)")),
]
JOIN_KIND_CHOICES = [
    SelectChoice("text", lazy_gettext("Free text")),
    SelectChoice("choice", lazy_gettext("One of a list")),
]


def _select(label, choices=None) -> SelectField:
    # validate_choice off: parse_agenda judges the value, and a stale choice is kept, not lost.
    return SelectField(label, choices=choices or [], validate_choice=False)


class DetailForm(Form):
    label = StringField(lazy_gettext("Label"))
    text = TextAreaField(lazy_gettext("Text"))


class StrategyForm(Form):
    name = StringField(lazy_gettext("Strategy name"))
    code = StringField(lazy_gettext("Number in the plan (optional)"))
    id = StringField(lazy_gettext("Short id"))
    description = TextAreaField(lazy_gettext("Description"))
    examples = TextAreaField(lazy_gettext("Examples, tactics or next steps (one per line)"))
    details = FieldList(FormField(DetailForm), lazy_gettext("Reference facts"))


class PillarForm(Form):
    title = StringField(lazy_gettext("Pillar title"))
    description = TextAreaField(lazy_gettext("Description"))
    examples = TextAreaField(lazy_gettext("Examples for the whole pillar (one per line)"))
    strategies = FieldList(FormField(StrategyForm), lazy_gettext("Strategies"))


class FrameworkForm(Form):
    title = StringField(lazy_gettext("Framework title"))
    id = StringField(lazy_gettext("Short id"))
    description = TextAreaField(lazy_gettext("Description"))
    pillars = FieldList(FormField(PillarForm), lazy_gettext("Pillars"))


class PromptForm(Form):
    question = StringField(lazy_gettext("Question"))
    help = StringField(lazy_gettext("Help text under the question"))
    id = StringField(lazy_gettext("Short id"))
    max_responses = StringField(lazy_gettext("Answers per participant (1–50)"))
    max_length = StringField(lazy_gettext("Characters per answer (20–2000)"))


class VoteForm(Form):
    picks = StringField(lazy_gettext("Picks per ballot (1–10)"))
    ranked = BooleanField(lazy_gettext("Ranked: a first choice counts most"))
    hide_tally = BooleanField(lazy_gettext("Hide the tally until I reveal it"))
    candidates = _select(lazy_gettext("What the room votes on"), CANDIDATE_CHOICES)
    candidate_list = TextAreaField(lazy_gettext("Fixed candidates (one per line)"))


class SegmentForm(Form):
    title = StringField(lazy_gettext("Segment title"))
    kind = _select(lazy_gettext("Kind"), SEGMENT_KIND_CHOICES)
    minutes = StringField(lazy_gettext("Planned minutes"))
    id = StringField(lazy_gettext("Short id"))
    text = TextAreaField(lazy_gettext("Text shown to the room"))
    facilitator_notes = TextAreaField(lazy_gettext("Notes for facilitators only"))
    framework = _select(lazy_gettext("Reference framework shown"))
    auto_advance = BooleanField(lazy_gettext("Move on automatically when the time is up"))
    prompts = FieldList(FormField(PromptForm), lazy_gettext("Questions"))
    vote = FormField(VoteForm)


class JoinQuestionForm(Form):
    label = StringField(lazy_gettext("Question"))
    id = StringField(lazy_gettext("Short id"))
    kind = _select(lazy_gettext("Answer"), JOIN_KIND_CHOICES)
    choices = TextAreaField(lazy_gettext("Choices (one per line)"))
    required = BooleanField(lazy_gettext("An answer is required"))


class AgendaForm(FlaskForm):
    title = StringField(lazy_gettext("Title"))
    agenda_id = StringField(lazy_gettext("Short id"))
    purpose = TextAreaField(lazy_gettext("Purpose"))
    community_agreements = TextAreaField(lazy_gettext("Community agreements (one per line)"))
    facilitator_notes = TextAreaField(lazy_gettext("Notes for facilitators only"))
    join_questions = FieldList(FormField(JoinQuestionForm), lazy_gettext("Questions when joining"))
    segments = FieldList(FormField(SegmentForm), lazy_gettext("Segments"))
    frameworks = FieldList(FormField(FrameworkForm), lazy_gettext("Reference frameworks"))
    outline = TextAreaField(lazy_gettext("Paste an outline"))
    outline_target = _select(lazy_gettext("Add it to"))
    # The agenda's translations (JSON) ride along unchanged: the editor has no fields for them.
    translations = HiddenField()

    def set_framework_choices(self) -> None:
        """Segments may show any framework in this form; a value typed before is kept."""
        frameworks = [
            SelectChoice(
                f.form.id.data or "", f.form.title.data or f.form.id.data or gettext("(untitled)")
            )
            for f in self.frameworks
        ]
        known = {choice.value for choice in frameworks}
        for entry in self.segments:
            current = entry.form.framework.data or ""
            missing = [SelectChoice(current, gettext("%(id)s (not in this agenda)", id=current))]
            extra = missing if current and current not in known else []
            entry.form.framework.choices = [
                SelectChoice("", gettext("No framework")),
                *frameworks,
                *extra,
            ]
        self.outline_target.choices = [SelectChoice("", gettext("A new framework")), *frameworks]


class UploadForm(FlaskForm):
    file = FileField(
        lazy_gettext("Agenda file (.toml)"),
        validators=[FileRequired(lazy_gettext("Choose a .toml file."))],
    )
    replace = BooleanField(lazy_gettext("Replace my agenda that has the same id"))
    submit = SubmitField(lazy_gettext("Upload"))


PATH_PART = re.compile(r"^([a-z_]+)(?:\[(\d+)\])?$")
TOP_LEVEL_NAMES = {"id": "agenda_id"}
# "segments[2]" in a problem's path, in words: "Segment 3".
NOUNS = {
    "join_questions": N_("Join question {number}"),
    "segments": N_("Segment {number}"),
    "prompts": N_("question {number}"),
    "frameworks": N_("Framework {number}"),
    "pillars": N_("pillar {number}"),
    "strategies": N_("strategy {number}"),
    "details": N_("detail {number}"),
}
# Parts of a path that have no field of their own.
PARTS = {"vote": N_("vote settings"), "translations": N_("translations")}
# parse_agenda's words that the editor says its own way: a range is typed here as 10-15.
EDITOR_WORDING = {
    MINUTES_WRONG: N_("must be a positive number or a range such as 10-15 ({low} to {high})")
}
# parse_agenda's problems that are the end of a sentence ("is required"): beside a field they
# become "This is required." ("Este campo es obligatorio.").
FRAGMENT_STARTS = ("is", "must", "has", "needs")


@dataclass(frozen=True)
class Problem:
    where: str  # words, e.g. "Segment 3, planned minutes"
    message: str
    anchor: str = ""  # the field's HTML id, when the problem has a field


def plain_message(what: str) -> str:
    """parse_agenda's words, in the reader's language, as a sentence beside a field."""
    if isinstance(what, Message) and what.template in EDITOR_WORDING:
        what = Message(EDITOR_WORDING[what.template], **what.params)
    text = i18n.message_text(what)
    if what.split(" ", 1)[0] in FRAGMENT_STARTS:  # judged on the English words
        text = i18n.message(N_("This {problem}"), problem=text)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _field_at(form: Form, where: str) -> Field | None:
    """`segments[2].prompts[0].max_length` → that field; None when no field matches."""
    node: Form | None = form
    parent, field = form, None
    for depth, part in enumerate(where.split(".")):
        match = PATH_PART.match(part)
        if not match or node is None:
            return None
        name, index = match.groups()
        name = TOP_LEVEL_NAMES.get(name, name) if depth == 0 else name
        parent, field = node, node._fields.get(name)
        if index is not None and isinstance(field, FieldList):
            field = field.entries[int(index)] if int(index) < len(field.entries) else None
        node = field.form if isinstance(field, FormField) else None
    if isinstance(field, FormField):  # a whole entry: the summary at the top says it
        return None
    if field is not None and field.short_name == "candidates" and field.data == "list":
        return parent._fields["candidate_list"]  # the fixed list is typed in the box below
    return field


def _describe(where: str, field: Field | None) -> str:
    """`segments[2].minutes` → "Segment 3, Planned minutes", with the field's own label."""
    words = []
    for part in where.split("."):
        match = PATH_PART.match(part)
        if match and match.group(2) is not None:
            name, number = match[1], int(match[2]) + 1
            noun = NOUNS.get(name)
            words.append(i18n.message(noun, number=number) if noun else f"{name} {number}")
        elif match and field is None:
            name = match[1]
            words.append(gettext(PARTS[name]) if name in PARTS else name.replace("_", " "))
    if field is not None:
        words.append(str(field.label.text))
    return ", ".join(words) or gettext("Agenda")


def attach_problems(form: AgendaForm, problems: list[tuple[str, str]]) -> list[Problem]:
    """Show each problem beside its field; return them all for the summary at the top."""
    shown = []
    for where, what in problems:
        field = _field_at(form, where) if where else None
        message = plain_message(what)
        if field is not None:
            field.errors = [*(e for e in field.errors if isinstance(e, str)), message]
        anchor = field.id if field is not None else ""
        shown.append(Problem(_describe(where, field), message, anchor))
    return shown
