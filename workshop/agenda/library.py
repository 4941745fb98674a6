"""The agenda library: reading definition files from disk, one bad file never stopping the rest."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from workshop.agenda import store as agenda_store
from workshop.agenda.model import Agenda, AgendaError
from workshop.agenda.parse import parse_agenda
from workshop.agenda.toml_errors import toml_problem
from workshop.messages import N_, Message

MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class BrokenAgenda:
    path: Path
    error: AgendaError

    def lines(self, say: Callable[[str], str] = str) -> list[str]:
        """`path: where: what` per problem; `say` words each `what` (the dashboard: in the
        reader's language)."""
        return self.error.lines(str(self.path), say)

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(self.lines())

    @property
    def message(self) -> str:
        return self.messages[0] if self.messages else ""


@dataclass(frozen=True)
class AgendaLibrary:
    agendas: dict[str, Agenda] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    broken: tuple[BrokenAgenda, ...] = ()

    def get(self, agenda_id: str) -> Agenda | None:
        return self.agendas.get(agenda_id)


def _too_large(size: int) -> AgendaError:
    message = N_("file is too large ({size:,} bytes, at most {limit:,})")
    return AgendaError([("", Message(message, size=size, limit=MAX_FILE_BYTES))])


def read_agenda_file(path: Path) -> Agenda:
    """Read and validate one definition file; AgendaError explains what is wrong and where."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_large(size)
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise AgendaError(
            [("", Message(N_("cannot read file ({reason})"), reason=reason))]
        ) from None
    return _read_unchanged(raw, path.stem)


# The dashboard reads the folder again on every visit (a file may have been added or
# changed), and every app a process makes reads it at start (the tests make hundreds): a
# file whose bytes are the same as last time is not parsed again. Agendas are immutable,
# so one can be shared; a file that fails is not kept and fails again.
@functools.lru_cache(maxsize=32)
def _read_unchanged(raw: bytes, default_id: str) -> Agenda:
    return read_agenda_bytes(raw, default_id=default_id)


def read_agenda_bytes(raw: bytes, default_id: str = "") -> Agenda:
    """Validate the bytes of a definition file (an upload, say) exactly as a file on disk."""
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(len(raw))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        message = N_("file is not UTF-8 text (invalid byte at offset {offset})")
        raise AgendaError([("", Message(message, offset=error.start))]) from None
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        raise AgendaError([("", toml_problem(str(error)))]) from None
    return parse_agenda(data, default_id=default_id)


def load_library(directory: Path) -> AgendaLibrary:
    """Load every `*.toml` in `directory`, sorted by name; invalid files are listed as broken."""
    agendas: dict[str, Agenda] = {}
    sources: dict[str, Path] = {}
    broken: list[BrokenAgenda] = []
    for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
        try:
            agenda = read_agenda_file(path)
        except AgendaError as error:
            broken.append(BrokenAgenda(path, error))
            continue
        if agenda.id in agendas:
            taken = Message(
                N_("'{id}' is already used by {file}"), id=agenda.id, file=sources[agenda.id].name
            )
            broken.append(BrokenAgenda(path, AgendaError([("id", taken)])))
            continue
        agendas[agenda.id] = agenda
        sources[agenda.id] = path
    return AgendaLibrary(agendas, sources, tuple(broken))


def summary(agenda: Agenda) -> str:
    """One line for `workshop check`: id, title, segments, prompts and planned time."""
    prompts = len(agenda.prompts())
    return (
        f"{agenda.id}: {agenda.title} ({len(agenda.segments)} segments, {prompts} prompts, "
        f"{agenda.duration_label()})"
    )


def init_app(app) -> None:
    """Load the library once at start, so broken files are reported in the log right away."""
    library = load_library(Path(app.config["AGENDA_DIR"]))
    for broken_file in library.broken:
        app.logger.warning("broken agenda: %s", broken_file.message)
    app.extensions["agenda_library"] = library


def current_library(app, *, reload: bool = False) -> AgendaLibrary:
    """The app's library; `reload` re-reads the folder (cheap: a handful of small files)."""
    if reload or "agenda_library" not in app.extensions:
        app.extensions["agenda_library"] = load_library(Path(app.config["AGENDA_DIR"]))
    return app.extensions["agenda_library"]


def find_agenda(
    app, agenda_id: str, db: Session | None = None, owner_id: int | None = None
) -> Agenda | None:
    """The agenda a facilitator asked for by id: their own saved one (given `db` and
    `owner_id`), else the library folder's. Own agendas come first because saving refuses
    library ids, so a clash only arises when a file is added later, and then a facilitator
    should keep reaching the agenda they wrote; the file stays reachable to everyone else."""
    if db is not None and owner_id is not None:
        saved = agenda_store.find_saved(db, owner_id, agenda_id)
        if saved is not None:
            return agenda_store.agenda_of(saved)
    return current_library(app).get(agenda_id)
