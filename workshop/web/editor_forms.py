"""WTForms forms of the agenda editor, and putting `parse_agenda`'s problems next to fields.

The fields have no validators of their own: the rules live once, in `parse_agenda`, whose
problem paths (`segments[2].minutes`) name the field to show each message beside. Numbers
are text fields so that whatever was typed comes back on an error. Sub-forms are plain
`wtforms.Form`s; the one CSRF token belongs to the page's `FlaskForm`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

SEGMENT_KIND_CHOICES = [
    SelectChoice("overview", "Overview: purpose, agreements and the agenda"),
    SelectChoice("prompts", "Questions: participants write short answers"),
    SelectChoice("themes", "Themes: facilitators group the answers"),
    SelectChoice("vote", "Vote: participants prioritize"),
    SelectChoice("results", "Results: the vote's outcome"),
    SelectChoice("break", "Break"),
]
CANDIDATE_CHOICES = [
    SelectChoice("themes", "The themes made in the session"),
    SelectChoice("strategies", "The strategies of the segment's framework"),
    SelectChoice("list", "A fixed list (below)"),
]
JOIN_KIND_CHOICES = [SelectChoice("text", "Free text"), SelectChoice("choice", "One of a list")]


def _select(label: str, choices=None) -> SelectField:
    # validate_choice off: parse_agenda judges the value, and a stale choice is kept, not lost.
    return SelectField(label, choices=choices or [], validate_choice=False)


class DetailForm(Form):
    label = StringField("Label")
    text = TextAreaField("Text")


class StrategyForm(Form):
    name = StringField("Strategy name")
    code = StringField("Number in the plan (optional)")
    id = StringField("Short id")
    description = TextAreaField("Description")
    examples = TextAreaField("Examples, tactics or next steps (one per line)")
    details = FieldList(FormField(DetailForm))


class PillarForm(Form):
    title = StringField("Pillar title")
    description = TextAreaField("Description")
    examples = TextAreaField("Examples for the whole pillar (one per line)")
    strategies = FieldList(FormField(StrategyForm))


class FrameworkForm(Form):
    title = StringField("Framework title")
    id = StringField("Short id")
    description = TextAreaField("Description")
    pillars = FieldList(FormField(PillarForm))


class PromptForm(Form):
    question = StringField("Question")
    help = StringField("Help text under the question")
    id = StringField("Short id")
    max_responses = StringField("Answers per participant (1–50)")
    max_length = StringField("Characters per answer (20–2000)")


class VoteForm(Form):
    picks = StringField("Picks per ballot (1–10)")
    ranked = BooleanField("Ranked: a first choice counts most")
    hide_tally = BooleanField("Hide the tally until I reveal it")
    candidates = _select("What the room votes on", CANDIDATE_CHOICES)
    candidate_list = TextAreaField("Fixed candidates (one per line)")


class SegmentForm(Form):
    title = StringField("Segment title")
    kind = _select("Kind", SEGMENT_KIND_CHOICES)
    minutes = StringField("Planned minutes")
    id = StringField("Short id")
    text = TextAreaField("Text shown to the room")
    facilitator_notes = TextAreaField("Notes for facilitators only")
    framework = _select("Reference framework shown")
    auto_advance = BooleanField("Move on automatically when the time is up")
    prompts = FieldList(FormField(PromptForm))
    vote = FormField(VoteForm)


class JoinQuestionForm(Form):
    label = StringField("Question")
    id = StringField("Short id")
    kind = _select("Answer", JOIN_KIND_CHOICES)
    choices = TextAreaField("Choices (one per line)")
    required = BooleanField("An answer is required")


class AgendaForm(FlaskForm):
    title = StringField("Title")
    agenda_id = StringField("Short id")
    purpose = TextAreaField("Purpose")
    community_agreements = TextAreaField("Community agreements (one per line)")
    facilitator_notes = TextAreaField("Notes for facilitators only")
    join_questions = FieldList(FormField(JoinQuestionForm))
    segments = FieldList(FormField(SegmentForm))
    frameworks = FieldList(FormField(FrameworkForm))
    outline = TextAreaField("Paste an outline")
    outline_target = _select("Add it to")
    # The agenda's translations (JSON) ride along unchanged: the editor has no fields for them.
    translations = HiddenField()

    def set_framework_choices(self) -> None:
        """Segments may show any framework in this form; a value typed before is kept."""
        frameworks = [
            SelectChoice(f.form.id.data or "", f.form.title.data or f.form.id.data or "(untitled)")
            for f in self.frameworks
        ]
        known = {choice.value for choice in frameworks}
        for entry in self.segments:
            current = entry.form.framework.data or ""
            missing = [SelectChoice(current, f"{current} (not in this agenda)")]
            extra = missing if current and current not in known else []
            entry.form.framework.choices = [SelectChoice("", "None"), *frameworks, *extra]
        self.outline_target.choices = [SelectChoice("", "A new framework"), *frameworks]


class UploadForm(FlaskForm):
    file = FileField("Agenda file (.toml)", validators=[FileRequired("Choose a .toml file.")])
    replace = BooleanField("Replace my agenda that has the same id")
    submit = SubmitField("Upload")


PATH_PART = re.compile(r"^([a-z_]+)(?:\[(\d+)\])?$")
TOP_LEVEL_NAMES = {"id": "agenda_id"}
NOUNS = {
    "join_questions": "Join question",
    "segments": "Segment",
    "prompts": "question",
    "frameworks": "Framework",
    "pillars": "pillar",
    "strategies": "strategy",
    "details": "detail",
}


@dataclass(frozen=True)
class Problem:
    where: str  # words, e.g. "Segment 3, planned minutes"
    message: str
    anchor: str = ""  # the field's HTML id, when the problem has a field


def plain_message(what: str) -> str:
    """parse_agenda's words, as a sentence beside a field."""
    what = what.replace("[min, max] range", "range such as 10-15")
    if what.split(" ", 1)[0] in ("is", "must", "has", "needs"):
        what = "This " + what
    return what[:1].upper() + what[1:] + ("" if what.endswith(".") else ".")


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
            words.append(f"{NOUNS.get(match[1], match[1])} {int(match[2]) + 1}")
        elif match and field is None:
            words.append(match[1].replace("_", " "))
    if field is not None:
        words.append(field.label.text)
    return ", ".join(words) or "Agenda"


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
