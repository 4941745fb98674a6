"""Themes: the facilitators' grouping of responses, linked to the plan's strategies.

Every operation takes the workshop it acts in and refuses ids from elsewhere. Moves are plain
assignments, so when two facilitators move the same response at once the later one wins and
both boards converge on the stored result; no response is ever removed by a theme operation
(deleting, merging or splitting a theme only reassigns its responses).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from workshop.agenda.model import Agenda
from workshop.ids import is_id
from workshop.messages import N_, ActionError
from workshop.models import Response, Theme, ThemeStrategy, Workshop

MAX_TITLE = 120
MAX_DESCRIPTION = 1000
MAX_THEMES = 200


@dataclass(frozen=True)
class ThemeSummary:
    id: int
    title: str
    description: str
    count: int
    strategy_ids: tuple[str, ...]
    title_es: str = ""  # "" until a facilitator gives the theme a Spanish title

    def title_in(self, lang: str) -> str:
        """The title a reader of `lang` sees: the Spanish one where there is one."""
        return self.title_es if lang.startswith("es") and self.title_es else self.title


def clean_title(title: object) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ActionError(N_("give the theme a title"), "empty")
    title = " ".join(title.split())
    if len(title) > MAX_TITLE:
        raise ActionError(
            N_("theme titles have at most {limit} characters"), "too_long", limit=MAX_TITLE
        )
    return title


def clean_title_es(title: object) -> str:
    """A Spanish title is optional: empty clears it (Spanish phones then show the title)."""
    if title is None or (isinstance(title, str) and not title.strip()):
        return ""
    return clean_title(title)


def clean_description(description: object) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise ActionError(N_("the description must be text"), "malformed")
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise ActionError(
            N_("descriptions have at most {limit} characters"), "too_long", limit=MAX_DESCRIPTION
        )
    return description


def _is_id(value: object) -> bool:
    return is_id(value)  # an int within the database's 64 bits


def get_theme(db: Session, workshop: Workshop, theme_id: object) -> Theme:
    theme = db.get(Theme, theme_id) if _is_id(theme_id) else None
    if theme is None or theme.workshop_id != workshop.id:
        raise ActionError(N_("no such theme"), "not_found")
    return theme


def create_theme(
    db: Session, workshop: Workshop, title: object, now: datetime, description: object = ""
) -> Theme:
    count = (
        db.scalar(select(func.count()).select_from(Theme).where(Theme.workshop_id == workshop.id))
        or 0
    )
    if count >= MAX_THEMES:
        raise ActionError(
            N_("a session can have at most {limit} themes"), "limit", limit=MAX_THEMES
        )
    theme = Theme(
        workshop_id=workshop.id,
        title=clean_title(title),
        description=clean_description(description),
        position=count,
        created_at=now,
        updated_at=now,
    )
    db.add(theme)
    db.flush()
    return theme


def update_theme(
    db: Session,
    workshop: Workshop,
    theme_id: object,
    title: object,
    description: object,
    now: datetime,
    title_es: object = None,
) -> Theme:
    """Rename a theme. `title_es` None keeps its Spanish title (clients that don't know it
    leave it alone); "" clears it."""
    theme = get_theme(db, workshop, theme_id)
    theme.title = clean_title(title)
    theme.description = clean_description(description)
    if title_es is not None:
        theme.title_es = clean_title_es(title_es)
    theme.updated_at = now
    db.flush()
    return theme


def delete_theme(db: Session, workshop: Workshop, theme_id: object) -> None:
    """The theme goes; its responses go back to the unsorted pile."""
    theme = get_theme(db, workshop, theme_id)
    db.execute(update(Response).where(Response.theme_id == theme.id).values(theme_id=None))
    db.execute(delete(ThemeStrategy).where(ThemeStrategy.theme_id == theme.id))
    db.delete(theme)
    db.flush()


def clean_response_ids(value: object, limit: int = 5000) -> list[int]:
    """A list of answer ids from a request: at least one, each a database id, no repeats."""
    if not isinstance(value, list) or not value or len(value) > limit:
        raise ActionError(N_("choose at least one answer"), "malformed")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ActionError(N_("answer ids must be numbers"), "malformed")
    if not all(is_id(v) for v in value):
        raise ActionError(N_("no such answer"), "not_found")
    return list(dict.fromkeys(value))


def move_responses(
    db: Session, workshop: Workshop, response_ids: object, theme_id: object | None
) -> list[int]:
    """Put responses in a theme (or back in the unsorted pile with `theme_id=None`)."""
    ids = clean_response_ids(response_ids)
    target = get_theme(db, workshop, theme_id).id if theme_id is not None else None
    rows = db.scalars(
        select(Response).where(
            Response.id.in_(ids), Response.workshop_id == workshop.id, Response.deleted_at.is_(None)
        )
    ).all()
    if len(rows) != len(ids):
        raise ActionError(N_("some of those answers are not in this session"), "not_found")
    if target is not None and any(row.hidden for row in rows):
        raise ActionError(N_("hidden answers stay out of themes"), "hidden")
    for row in rows:
        row.theme_id = target
    db.flush()
    return ids


def merge_themes(
    db: Session, workshop: Workshop, target_id: object, source_ids: object, now: datetime
) -> Theme:
    """Fold other themes into one: their responses and strategy links move, they go."""
    target = get_theme(db, workshop, target_id)
    if not isinstance(source_ids, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) for s in source_ids
    ):
        raise ActionError(N_("choose the themes to merge"), "malformed")
    # Ticking the target too is an easy slip: it is simply not merged into itself.
    wanted = [source_id for source_id in dict.fromkeys(source_ids) if source_id != target.id]
    if not wanted:
        raise ActionError(N_("tick the themes to merge into this one"), "invalid")
    sources = [get_theme(db, workshop, source_id) for source_id in wanted]
    linked = set(strategy_ids(db, target))
    for source in sources:
        db.execute(
            update(Response).where(Response.theme_id == source.id).values(theme_id=target.id)
        )
        for strategy_id in strategy_ids(db, source):
            if strategy_id not in linked:
                db.add(ThemeStrategy(theme_id=target.id, strategy_id=strategy_id))
                linked.add(strategy_id)
        db.execute(delete(ThemeStrategy).where(ThemeStrategy.theme_id == source.id))
        db.delete(source)
    target.updated_at = now
    db.flush()
    return target


def split_theme(
    db: Session,
    workshop: Workshop,
    theme_id: object,
    response_ids: object,
    title: object,
    now: datetime,
) -> Theme:
    """Move some of a theme's responses into a new theme."""
    source = get_theme(db, workshop, theme_id)
    ids = clean_response_ids(response_ids)
    in_source = set(
        db.scalars(select(Response.id).where(Response.theme_id == source.id, Response.id.in_(ids)))
    )
    if in_source != set(ids):
        raise ActionError(N_("only answers in this theme can be split off"), "invalid")
    new_theme = create_theme(db, workshop, title, now)
    move_responses(db, workshop, ids, new_theme.id)
    return new_theme


def strategy_ids(db: Session, theme: Theme) -> list[str]:
    query = select(ThemeStrategy.strategy_id).where(ThemeStrategy.theme_id == theme.id)
    return sorted(db.scalars(query))


def framework_strategy_ids(agenda: Agenda) -> set[str]:
    return {strategy.id for framework in agenda.frameworks for strategy in framework.strategies()}


def link_strategy(
    db: Session, workshop: Workshop, agenda: Agenda, theme_id: object, strategy_id: object
) -> Theme:
    theme = get_theme(db, workshop, theme_id)
    if not isinstance(strategy_id, str) or strategy_id not in framework_strategy_ids(agenda):
        raise ActionError(N_("no such strategy in this session's plan"), "strategy")
    if strategy_id not in strategy_ids(db, theme):
        db.add(ThemeStrategy(theme_id=theme.id, strategy_id=strategy_id))
        db.flush()
    return theme


def unlink_strategy(
    db: Session, workshop: Workshop, theme_id: object, strategy_id: object
) -> Theme:
    theme = get_theme(db, workshop, theme_id)
    if not isinstance(strategy_id, str):
        raise ActionError(N_("strategy ids are text"), "malformed")
    db.execute(
        delete(ThemeStrategy).where(
            ThemeStrategy.theme_id == theme.id, ThemeStrategy.strategy_id == strategy_id
        )
    )
    db.flush()
    return theme


def list_themes(db: Session, workshop: Workshop) -> list[Theme]:
    query = select(Theme).where(Theme.workshop_id == workshop.id).order_by(Theme.position, Theme.id)
    return list(db.scalars(query))


def summaries(db: Session, workshop: Workshop) -> list[ThemeSummary]:
    """Themes as the room sees them: title, description and how many visible answers."""
    themes = list_themes(db, workshop)
    counts = Counter(
        db.scalars(
            select(Response.theme_id).where(
                Response.workshop_id == workshop.id,
                Response.theme_id.is_not(None),
                Response.deleted_at.is_(None),
                Response.hidden.is_(False),
            )
        )
    )
    links: dict[int, list[str]] = {}
    theme_ids = [theme.id for theme in themes]
    for theme_id, strategy_id in db.execute(
        select(ThemeStrategy.theme_id, ThemeStrategy.strategy_id).where(
            ThemeStrategy.theme_id.in_(theme_ids)
        )
    ):
        links.setdefault(theme_id, []).append(strategy_id)
    return [
        ThemeSummary(
            t.id,
            t.title,
            t.description,
            counts.get(t.id, 0),
            tuple(sorted(links.get(t.id, []))),
            t.title_es,
        )
        for t in themes
    ]


def visible_responses(
    db: Session, workshop: Workshop, theme_ids: Iterable[int] | None = None
) -> list[Response]:
    query = select(Response).where(
        Response.workshop_id == workshop.id,
        Response.deleted_at.is_(None),
        Response.hidden.is_(False),
    )
    if theme_ids is not None:
        query = query.where(Response.theme_id.in_(list(theme_ids)))
    return list(db.scalars(query.order_by(Response.created_at, Response.id)))
