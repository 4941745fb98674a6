"""Database models (SQLAlchemy 2 typed ORM). Timestamps are timezone-aware UTC.

Constraints live in the database: one e-mail per facilitator, one join code per live
workshop, one participant number per workshop, one client id per participant's submission.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    # Named constraints, so later migrations can alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC; always returns aware datetimes, also from SQLite, which drops the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Facilitator(Base):
    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of every sign-in's id: signing out bumps it, which ends every session and
    # remember-me cookie of this account, including open console sockets.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # What Flask-Login asks of a signed-in user (its UserMixin, written out so that the
    # models stay free of Flask).
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"


class Workshop(Base):
    """A live run of an agenda. It keeps the agenda it started from as JSON."""

    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    projector_token: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    agenda_id: Mapped[str] = mapped_column(String(64))
    # Loaded only when the parsed agenda is not cached yet: most events never need it.
    agenda_json: Mapped[str] = mapped_column(Text, deferred=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Timer state. The server owns time: a running segment has `ends_at`; a paused one
    # keeps `remaining_seconds`. Index -1 is the lobby before the first segment.
    segment_index: Mapped[int] = mapped_column(Integer, default=-1)
    timer_running: Mapped[bool] = mapped_column(Boolean, default=False)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remaining_seconds: Mapped[float | None] = mapped_column(Float)
    extra_seconds: Mapped[float] = mapped_column(Float, default=0)
    # Optimistic lock: two facilitators pressing "next" at once cannot both advance.
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}

    facilitators: Mapped[list[WorkshopFacilitator]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )


class WorkshopFacilitator(Base):
    """Who may run a workshop: its owner and any co-facilitators."""

    __tablename__ = "workshop_facilitator"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id"), primary_key=True)

    workshop: Mapped[Workshop] = relationship(back_populates="facilitators")


class SegmentRun(Base):
    """When a segment was actually on screen, for planned-versus-actual reporting."""

    __tablename__ = "segment_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    segment_index: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Participant(Base):
    """Someone who joined from a phone. `token_hash` matches their long-lived cookie."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(80))
    answers_json: Mapped[str] = mapped_column(Text, default="{}")
    # Answers typed in by a facilitator from a paper card, for people without a phone.
    is_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Response(Base):
    """One short answer to a prompt. `client_id` makes a resent submission idempotent."""

    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("participant_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    segment_id: Mapped[str] = mapped_column(String(64))
    prompt_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    strategy_id: Mapped[str | None] = mapped_column(String(64))
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Theme(Base):
    """A group of responses the facilitators made; what the room votes on."""

    __tablename__ = "theme"
    # A deleted theme's id is never given to a new one (SQLite reuses the highest rowid
    # otherwise): a co-facilitator's stale page or suggestion naming it must find it gone, not
    # fill someone else's new theme.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    # The title Spanish-speaking phones show ("" until a facilitator gives one).
    title_es: Mapped[str] = mapped_column(String(120), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThemeStrategy(Base):
    """A facilitator-confirmed link from a theme to a strategy of the agenda's framework."""

    __tablename__ = "theme_strategy"

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True
    )
    strategy_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class VoteRound(Base):
    """One round of voting. Its candidates are fixed when it opens."""

    __tablename__ = "vote_round"
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    segment_id: Mapped[str] = mapped_column(String(64))
    picks: Mapped[int] = mapped_column(Integer)
    ranked: Mapped[bool] = mapped_column(Boolean)
    hide_tally: Mapped[bool] = mapped_column(Boolean, default=False)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Candidate(Base):
    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    # A theme's Spanish title as it stood when the round opened, like `title` ("" if none).
    title_es: Mapped[str] = mapped_column(String(300), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="")
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    strategy_id: Mapped[str | None] = mapped_column(String(64))


class Ballot(Base):
    """A participant's current ballot in a round: one per participant per round."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BallotPick(Base):
    """One pick on a ballot; the database refuses a repeated candidate or rank."""

    __tablename__ = "ballot_pick"
    __table_args__ = (
        UniqueConstraint("ballot_id", "candidate_id"),
        UniqueConstraint("ballot_id", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"))
    rank: Mapped[int] = mapped_column(Integer)


class SavedAgenda(Base):
    """A facilitator's own agenda (made, copied or uploaded), stored as the same TOML text as
    a file in sessions/, so it downloads and checks exactly like one."""

    __tablename__ = "saved_agenda"
    __table_args__ = (UniqueConstraint("owner_id", "agenda_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (owner_id, agenda_id) index serves lookups by owner.
    owner_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id"))
    agenda_id: Mapped[str] = mapped_column(String(64))
    toml_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShareLink(Base):
    """A read-only link to one workshop's results. Only the SHA-256 of its token is stored,
    so a copy of the database does not hand out working links."""

    __tablename__ = "share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("facilitator.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BallotSubmission(Base):
    """Every client id a ballot was sent with, so a late resend of an earlier version of a
    ballot is recognised as a resend and never undoes the change that followed it."""

    __tablename__ = "ballot_submission"
    __table_args__ = (UniqueConstraint("ballot_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))


class Installation(Base):
    """This server's identity: one row with a random id made when the database was created.
    Results exports carry it, so a roll-up that imports the same session's export twice
    recognises it (a copy of the database is the same server: its session numbers are too)."""

    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(primary_key=True)
    server_id: Mapped[str] = mapped_column(String(64))


class ScreenView(Base):
    """What the facilitators asked the projector to show beyond the segment itself: the full
    join screen again (for latecomers), and the answers to some prompts as a wall. No row
    means neither: the wall is off by default."""

    __tablename__ = "screen_view"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True
    )
    show_join: Mapped[bool] = mapped_column(Boolean, default=False)
    # The prompt ids whose answers the wall shows (while their segment is on), as JSON.
    wall_prompts: Mapped[str] = mapped_column(Text, default="[]")


class SuggestionRunRecord(Base):
    """A theme suggestion run (or a collection's regional proposals) as every process sees it:
    the process that runs it writes its progress here and, once done, its result or error, so
    the page that follows it works behind several processes (themes/run_store.py)."""

    __tablename__ = "suggestion_run"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)  # a session's id, or "collection-N"
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str | None] = mapped_column(Text)  # JSON, once done
    error: Mapped[str | None] = mapped_column(Text)  # JSON, when it failed
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the running process's heartbeat
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
