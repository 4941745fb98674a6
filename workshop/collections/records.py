"""The tables of collections: a collection, its owners, its members (one session's results
each, as one table of the region saw them), regional themes and share links.

A member keeps a snapshot of its session's results (the JSON export, as a share link shows
it: no names, no hidden answers), whether the session ran on this server or elsewhere, so a
roll-up reads every table the same way and a table's later changes reach it only when an
owner updates or re-imports it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.models import Base, UTCDateTime, utcnow

LOCAL, IMPORTED = "local", "import"
PROPOSED, CONFIRMED = "proposed", "confirmed"


class Collection(Base):
    """Sessions gathered for one regional picture, e.g. "SRT retrospectives, September 2024"."""

    __tablename__ = "collection"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("facilitator.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The collection of the round before this one, for "over time".
    earlier_id: Mapped[int | None] = mapped_column(ForeignKey("collection.id", ondelete="SET NULL"))

    owners: Mapped[list[CollectionOwner]] = relationship(
        back_populates="collection", cascade="all, delete-orphan"
    )


class CollectionOwner(Base):
    """Who may see and change a collection: its creator and the co-owners they added."""

    __tablename__ = "collection_owner"

    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collection.id", ondelete="CASCADE"), primary_key=True
    )
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id"), primary_key=True)

    collection: Mapped[Collection] = relationship(back_populates="owners")


class CollectionMember(Base):
    """One session in a collection: its table's name, date and place, and its results.

    `source_key` identifies the session wherever it ran (server id, session number, start
    time): importing the same export again finds the same member and replaces its results.
    `table_key` is the table name folded for comparison: one table per name in a collection."""

    __tablename__ = "collection_member"
    __table_args__ = (
        UniqueConstraint("collection_id", "source_key"),
        UniqueConstraint("collection_id", "table_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collection.id", ondelete="CASCADE"))
    source_key: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(16))  # LOCAL or IMPORTED
    # Set for a session of this server, so its results can be read again.
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id", ondelete="SET NULL"))
    table_name: Mapped[str] = mapped_column(String(120))
    table_key: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(120), default="")
    session_title: Mapped[str] = mapped_column(String(200))
    results_json: Mapped[str] = mapped_column(Text, deferred=True)
    results_as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegionalTheme(Base):
    """Themes of different tables that mean the same thing, proposed by the suggester's
    encoders or made by an owner; only confirmed ones are part of the roll-up."""

    __tablename__ = "regional_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collection.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))  # PROPOSED or CONFIRMED
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegionalThemeMember(Base):
    """A table's theme (its id in that session's results) in a regional theme; a table's
    theme is in at most one regional theme."""

    __tablename__ = "regional_theme_member"
    __table_args__ = (UniqueConstraint("member_id", "theme_id"),)

    regional_theme_id: Mapped[int] = mapped_column(
        ForeignKey("regional_theme.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("collection_member.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class CollectionShareLink(Base):
    """A read-only link to a collection's roll-up; as with a session's, only the SHA-256 of
    its token is stored."""

    __tablename__ = "collection_share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collection.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("facilitator.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
