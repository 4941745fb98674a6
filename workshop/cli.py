"""The `workshop` command line. Each command is a thin wrapper over a domain function;
errors are one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click
from flask import current_app, has_app_context
from flask.cli import ScriptInfo
from sqlalchemy.exc import SQLAlchemyError

from workshop import accounts
from workshop.agenda.library import read_agenda_file, summary
from workshop.agenda.model import AgendaError
from workshop.ids import as_id
from workshop.messages import ActionError
from workshop.web import i18n


def _app():
    """The app `flask --app workshop ...` loaded, else a fresh one for the `workshop` script."""
    if has_app_context():
        return current_app._get_current_object()
    script_info = click.get_current_context().find_object(ScriptInfo)
    if script_info is not None:
        return script_info.load_app()
    from workshop import create_app

    return create_app()


@click.group(help="Run and manage facilitated workshop sessions.")
def main() -> None:
    pass


@main.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def check_command(paths: tuple[Path, ...]) -> None:
    """Validate agenda definition files (TOML)."""
    failures = 0
    for path in paths:
        try:
            agenda = read_agenda_file(path)
        except AgendaError as error:
            failures += 1
            for line in error.lines(str(path)):
                click.echo(line, err=True)
            continue
        click.echo(f"{path}: ok: {summary(agenda)}")
    if failures:
        click.echo(f"{failures} of {len(paths)} file(s) invalid", err=True)
        sys.exit(1)


@main.command("init-db")
def init_db_command() -> None:
    """Create the database or migrate it to the latest version."""
    from workshop import database  # Alembic: only this command needs it

    app = _app()
    url = app.config["DATABASE_URL"]
    try:
        database.upgrade(url)
    except SQLAlchemyError as error:
        raise click.ClickException(
            f"cannot migrate the database: {error.__class__.__name__}: {error.orig or error}"
        ) from None
    click.echo(f"database is up to date ({_safe_url(url)})")
    with app.app_context():
        from workshop.extensions import db

        if accounts.count_facilitators(db.session) == 0:
            click.echo(
                "No facilitator account yet. Create the first one with:\n"
                "  .venv/bin/workshop create-facilitator you@example.org"
            )


@main.command("create-facilitator")
@click.argument("email")
@click.option("--password", help="For scripts; prompted for (hidden) when left out.")
def create_facilitator_command(email: str, password: str | None) -> None:
    """Create a facilitator account that can sign in and run sessions."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = _app()
    with app.app_context():
        from workshop.extensions import db

        try:
            facilitator = accounts.create_facilitator(db.session, email, password)
            created_email = facilitator.email
            db.session.commit()
        except accounts.AccountError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        except SQLAlchemyError:
            db.session.rollback()
            raise click.ClickException(
                "the database is not ready: run `workshop init-db` first"
            ) from None
    click.echo(f"created facilitator {created_email}")


@main.command("rehearse")
@click.argument("session")
@click.option("--participants", default=30, show_default=True, type=click.IntRange(1, 2000))
@click.option(
    "--url", default="http://127.0.0.1:5000", show_default=True, help="Where the server runs."
)
@click.option("--seed", default=0, show_default=True, help="Same seed, same simulated room.")
@click.option(
    "--pace",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0, 10),
    help="How long the phones take to read and type: 1 like people, 0.1 ten times faster.",
)
def rehearse_command(session: str, participants: int, url: str, seed: int, pace: float) -> None:
    """Fill a live session (by its join code) with simulated phones that join, answer from
    sample answers and vote when voting opens, so you can rehearse before the real day."""
    import asyncio

    import aiohttp

    from workshop.live.simulate import rehearse

    click.echo(
        f"Simulating {participants} participants in session {session.upper()} at {url} (Ctrl+C stops)"
    )
    try:
        timings = asyncio.run(
            rehearse(url, session.upper(), participants, seed=seed, log=click.echo, pace=pace)
        )
    except KeyboardInterrupt:
        return
    except (
        aiohttp.ClientError,
        OSError,
        RuntimeError,
    ) as error:
        raise click.ClickException(
            f"could not join session {session.upper()} at {url}: {error}"
        ) from None
    click.echo(
        f"Session ended: {timings.accepted['respond']} answers and "
        f"{timings.accepted['ballot']} ballots stored."
    )
    if timings.errors:  # e.g. an answer typed as the facilitator moved on
        reasons = Counter(error.split(": ", 1)[-1] for error in timings.errors)
        click.echo(
            f"{len(timings.errors)} not stored: "
            + "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common(3))
        )


# The PDF reports are written in one language; the other formats are always in English.
LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(list(i18n.LANGUAGES)),
    default="en",
    show_default=True,
    help="The language of a PDF (csv, xlsx and json are in English).",
)


def _rendered(exports, fmt: str, found, lang: str) -> bytes:
    """A session's results or a roll-up (`exports`: either's module) as a file; only the PDF
    takes the language."""
    if fmt == "pdf":
        return exports.to_pdf(found, i18n.language(lang))
    return exports.RENDERERS[fmt](found)


@main.command("export")
@click.argument("session")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "xlsx", "json", "pdf"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--shared", is_flag=True, help="What a share link shows: no names, no hidden answers."
)
@LANG_OPTION
def export_command(session: str, fmt: str, out: Path, shared: bool, lang: str) -> None:
    """Write a session's results (SESSION: its number or join code) to a file."""
    from workshop import clock
    from workshop.results import exports
    from workshop.results.build import build_results
    from workshop.results.model import FACILITATOR, SHARED

    app = _app()
    with app.app_context():
        from workshop.extensions import db

        try:
            workshop = _find_workshop(db.session, session)
            audience = SHARED if shared else FACILITATOR
            words = lang if fmt == "pdf" else ""  # the agenda's texts in the PDF's language
            found = build_results(db.session, workshop, clock.now(), audience, words)
        except SQLAlchemyError:
            raise click.ClickException(
                "the database is not ready: run `workshop init-db` first"
            ) from None
        body = _rendered(exports, fmt, found, lang)
    try:
        out.write_bytes(body)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"wrote {out} ({fmt}, {len(body)} bytes) for session {workshop.id}: {found.title}")


def _find_workshop(db, text: str):
    """A join code first (codes can be all digits), then a session number."""
    from workshop.live.workshops import find_by_code
    from workshop.models import Workshop

    workshop = find_by_code(db, text)
    number = text.strip()
    if workshop is None and as_id(number) is not None:
        workshop = db.get(Workshop, as_id(number))
    if workshop is None:
        raise click.ClickException(f"no session has the number or join code '{text}'")
    return workshop


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--collection", "name", required=True, help="The collection's number or name.")
@click.option("--owner", help="E-mail of the facilitator who owns a new collection of that name.")
@click.option("--table", "table", default="", help="The table's name (with one file).")
@click.option("--date", "held_on", default="", help="The table's date, YYYY-MM-DD (one file).")
@click.option("--place", default="", help="Where the table met (one file).")
def import_command(
    files: tuple[Path, ...], name: str, owner: str | None, table: str, held_on: str, place: str
) -> None:
    """Import results exports (JSON) into a collection; the same session's export again
    replaces it. A file that is not a results export is reported and changes nothing."""
    from workshop import clock
    from workshop.collections import members, store

    if len(files) > 1 and (table or held_on or place):
        raise click.ClickException("--table, --date and --place describe one file: give one")
    app = _app()
    failures = 0
    with app.app_context():
        from workshop.extensions import db

        collection = _collection(db.session, name, owner, "; give --owner to create it")
        try:
            details = members.TableDetails(table, store.parse_day(held_on), place)
        except ActionError as error:
            raise click.ClickException(str(error)) from None
        for path in files:
            failures += _import_one(db.session, collection, path, details, clock.now())
    if failures:
        raise click.ClickException(f"{failures} of {len(files)} file(s) not imported")


def _import_one(db, collection, path: Path, details, now) -> int:
    from workshop.collections import members

    try:
        added = members.import_export(db, collection, path.read_bytes(), path.name, now, details)
        db.commit()
    except OSError as error:
        click.echo(f"{path}: cannot read it: {error.strerror}", err=True)
        return 1
    except ActionError as error:
        db.rollback()
        click.echo(str(error), err=True)
        return 1
    verb = "replaced" if added.replaced else "imported"
    click.echo(f"{path}: {verb} as table '{added.member.table_name}' in '{collection.name}'")
    return 0


MAX_LISTED = 10  # collections named in an error


def _collection(db, name: str, owner: str | None, hint: str = ""):
    """A collection by number or exact name; with --owner, a new one of that name. Not found,
    the error lists the collections there are, then `hint`."""
    from sqlalchemy import select

    from workshop.collections.records import Collection

    found = db.get(Collection, as_id(name)) if as_id(name) is not None else None
    found = found or db.scalars(select(Collection).where(Collection.name == name)).first()
    if found is not None:
        return found
    if not owner:
        known = db.execute(select(Collection.id, Collection.name).order_by(Collection.id)).all()
        listed = "; ".join(f"{number} '{title}'" for number, title in known[:MAX_LISTED])
        there = f"the collections: {listed}" if known else "there is no collection yet"
        more = f" and {len(known) - MAX_LISTED} more" if len(known) > MAX_LISTED else ""
        raise click.ClickException(
            f"no collection has the number or name '{name}' ({there}{more}){hint}"
        )
    from workshop import clock
    from workshop.collections import store

    account = accounts.find_facilitator(db, owner)
    if account is None:
        raise click.ClickException(f"no facilitator has the e-mail address '{owner}'")
    collection = store.create_collection(db, account.id, name, clock.now())
    db.commit()
    click.echo(f"created collection {collection.id}: {collection.name}")
    return collection


@main.command("rollup")
@click.argument("collection")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "xlsx", "json", "pdf"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@LANG_OPTION
def rollup_command(collection: str, fmt: str, out: Path, lang: str) -> None:
    """Write a collection's roll-up (COLLECTION: its number or name) to a file."""
    from workshop import clock
    from workshop.collections import exports
    from workshop.collections.build import build_rollup

    app = _app()
    with app.app_context():
        from workshop.extensions import db

        try:
            found = _collection(db.session, collection, None)
            rollup = build_rollup(db.session, found, clock.now())
        except SQLAlchemyError:
            raise click.ClickException(
                "the database is not ready: run `workshop init-db` first"
            ) from None
        body = _rendered(exports, fmt, rollup, lang)
    try:
        out.write_bytes(body)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    click.echo(
        f"wrote {out} ({fmt}, {len(body)} bytes): roll-up of {len(rollup.tables)} tables "
        f"in collection {found.id}: {found.name}"
    )


@main.command("suggest-themes")
@click.argument("input_csv", metavar="INPUT.csv", type=click.Path(path_type=Path))
@click.option("--column", required=True, help="The column holding the responses.")
@click.option(
    "--themes", "k", type=click.IntRange(min=1), help="How many themes (default: chosen)."
)
@click.option("--seed", type=int, default=0, show_default=True)
def suggest_themes_command(input_csv: Path, column: str, k: int | None, seed: int) -> None:
    """Group a CSV's responses into themes; print the rows with a `theme` column added
    (`suggested_theme` if the file already has a `theme` column)."""
    from workshop.themes.suggest import embedding

    embedding.start(foreground=True)  # the models load while the file is read
    from workshop.themes.suggest import SuggestError, tabular

    try:
        labelled = tabular.label_csv(input_csv, column, k, seed)
    except (tabular.TableError, SuggestError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(labelled, nl=False)


def _safe_url(url: str) -> str:
    """A database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def init_app(app) -> None:
    for command in (
        check_command,
        init_db_command,
        create_facilitator_command,
        rehearse_command,
        export_command,
        import_command,
        rollup_command,
        suggest_themes_command,
    ):
        app.cli.add_command(command)
