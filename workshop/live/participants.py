"""Participants: joining without an account, and finding them again from their cookie."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from workshop.agenda.model import Agenda
from workshop.messages import N_, ActionError
from workshop.models import Participant, Workshop

MAX_ANSWER_LENGTH = 80


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def find_by_token(db: Session, workshop: Workshop, token: str | None) -> Participant | None:
    if not token or len(token) > 100:
        return None
    query = select(Participant).where(
        Participant.token_hash == token_hash(token), Participant.workshop_id == workshop.id
    )
    return db.scalars(query).first()


# Built once: each answer runs it, and building a query costs more than SQLite running it.
_WITH_WORKSHOP = select(Workshop, Participant).where(
    Workshop.id == bindparam("workshop_id"),
    Participant.id == bindparam("participant_id"),
    Participant.workshop_id == Workshop.id,
)


def with_workshop(
    db: Session, workshop_id: int, participant_id: int
) -> tuple[Workshop, Participant] | None:
    """A session and one of its participants, in one query (each answer needs both)."""
    params = {"workshop_id": workshop_id, "participant_id": participant_id}
    row = db.execute(_WITH_WORKSHOP, params).first()
    return (row[0], row[1]) if row is not None else None


def clean_answers(agenda: Agenda, raw: dict[str, Any]) -> dict[str, str]:
    """Check the join questions' answers; ActionError names the first one that is wrong."""
    answers: dict[str, str] = {}
    for question in agenda.join_questions:
        value = raw.get(question.id)
        value = value.strip() if isinstance(value, str) else ""
        if len(value) > MAX_ANSWER_LENGTH:
            raise ActionError(
                N_("{label}: at most {limit} characters"),
                question.id,
                label=question.label,
                limit=MAX_ANSWER_LENGTH,
            )
        if question.kind == "choice" and value and value not in question.choices:
            raise ActionError(
                N_("{label}: pick one of the choices"), question.id, label=question.label
            )
        if question.required and not value:
            raise ActionError(
                N_("{label}: please answer this question"), question.id, label=question.label
            )
        if value:
            answers[question.id] = value
    return answers


def join(
    db: Session, workshop: Workshop, agenda: Agenda, raw_answers: dict[str, Any], token: str
) -> Participant:
    """Add a participant with the next number in this workshop."""
    if workshop.ended_at is not None:
        raise ActionError(N_("this session has ended"), "ended")
    answers = clean_answers(agenda, raw_answers)
    role_question = next((q for q in agenda.join_questions if q.kind == "choice"), None)
    # Numbers are handed out one at a time per workshop: locking the workshop's row makes
    # concurrent joins (on several server processes) queue for a moment instead of colliding.
    # SQLite has no row locks, but it lets only one writer in at a time anyway.
    db.execute(select(Workshop.id).where(Workshop.id == workshop.id).with_for_update())
    last = db.scalar(
        select(func.max(Participant.number)).where(Participant.workshop_id == workshop.id)
    )
    participant = Participant(
        workshop_id=workshop.id,
        number=(last or 0) + 1,
        token_hash=token_hash(token),
        name=answers.get("name"),
        role=answers.get(role_question.id) if role_question else None,
        answers_json=json.dumps(answers, ensure_ascii=False),
    )
    db.add(participant)
    db.flush()
    return participant


# How facilitators see a participant: English templates, translated where they are shown.
PARTICIPANT_LABEL = N_("Participant {number}")
PAPER_PARTICIPANT_LABEL = N_("Paper participant {number}")
NAMED_LABEL = N_("{label} ({name})")


@dataclass(frozen=True)
class Label:
    """A participant as facilitators see them: anonymous to the room ("Participant 7"), with
    the name they gave when the agenda asks for one. A template plus its parameters: the
    edges write it in the reader's language with `text(translate)`."""

    number: int
    paper: bool = False
    name: str | None = None

    def text(self, translate: Callable[[str], str] = str) -> str:
        template = PAPER_PARTICIPANT_LABEL if self.paper else PARTICIPANT_LABEL
        label = translate(template).format(number=self.number)
        return translate(NAMED_LABEL).format(label=label, name=self.name) if self.name else label

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "paper": self.paper, "name": self.name}


def display_label(participant: Participant, *, with_name: bool) -> Label:
    """Anonymous to the room: 'Participant 7'. Facilitators also see a name if one was given."""
    return label_of(participant.number, participant.name, participant.is_paper, with_name=with_name)


def label_of(number: int, name: str | None, is_paper: bool, *, with_name: bool) -> Label:
    """display_label from the participant's columns alone."""
    return Label(number, is_paper, name if with_name and name else None)


def add_paper_participant(
    db: Session, workshop: Workshop, agenda: Agenda, role: str | None
) -> Participant:
    """Someone without a phone: a facilitator types in their paper card and paper ballot.
    They count like everyone else and are marked as paper in results and exports."""
    role_question = next((q for q in agenda.join_questions if q.kind == "choice"), None)
    answers = {role_question.id: role} if role and role_question is not None else {}
    participant = join(db, workshop, agenda, answers, new_token())
    participant.is_paper = True
    db.flush()
    return participant
