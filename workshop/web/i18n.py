"""Languages: which one a page speaks, and translating at the edges.

A person picks English or Spanish with `?lang=xx` on any page (the language switch's plain
links), remembered in a long-lived `lang` cookie; without either, the browser's
Accept-Language decides. A socket's handshake carries the same cookie, so acknowledgements
speak the page's language.

Domain modules stay free of Flask: they raise English message templates marked with `N_` (a
no-op that pybabel extracts) plus their parameters, and the edges translate them here with
`error_text`. Catalogs live in `workshop/translations/<lang>/LC_MESSAGES/messages.po`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request
from flask_babel import (
    Babel,
    force_locale,
    format_decimal,
    format_percent,
    get_locale,
    gettext,
    refresh,
)

from workshop.live import participants, workshops
from workshop.messages import N_, Language, Message

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 86400
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


def init_app(app: Flask) -> None:
    compile_catalogs(TRANSLATIONS, app.logger)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=current_language)
    # A test may hold one app context across requests: forget the last request's language.
    app.before_request(refresh)
    app.after_request(_remember_choice)
    app.context_processor(_template_helpers)


def current_language() -> str:
    """`?lang=` on this request, else the `lang` cookie, else the browser's preference."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def _remember_choice(response):
    if response.mimetype == "text/html":  # the same address reads differently per language
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and chosen != request.cookies.get(COOKIE):
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def error_text(error, **overrides: object) -> str:
    """An ActionError (or TimerError) in the reader's language; `overrides` replace
    parameters that need the reader's language too, such as a join question's label."""
    params = {**error.params, **overrides}
    text = gettext(error.template)
    return text.format(**params) if params else text


def socket_error_text(error) -> str:
    """As `error_text`, for a socket event: its context may outlive one language choice."""
    with force_locale(current_language()):
        return error_text(error)


def message(template: str, **params: object) -> str:
    """A message marked with `N_` elsewhere, translated and filled in like an ActionError's."""
    text = gettext(template)
    return text.format(**params) if params else text


def message_text(text: str) -> str:
    """A domain `Message` in the reader's language, with its parameters that are Messages
    too; any other text as it is (a name, or words the domain did not mark)."""
    if not isinstance(text, Message):
        return text
    params = {
        key: message_text(value) if isinstance(value, str) else value
        for key, value in text.params.items()
    }
    return message(text.template, **params)


def translator(lang: str) -> Callable[[str], str]:
    """Translates `N_` templates into `lang`, with or without a request (a download made for
    its reader, or the command line). Each template is looked up once."""
    translated: dict[str, str] = {}

    def translate(template: str) -> str:
        if template not in translated:
            with force_locale(lang):
                translated[template] = gettext(template)
        return translated[template]

    return translate


def language(lang: str | None = None) -> Language:
    """A document's language for domain code that writes one (the PDF reports): `lang`, or
    the reader's."""
    lang = lang or current_language()
    return Language(lang, translator(lang))


# -- templates -------------------------------------------------------------------------------


def _template_helpers() -> dict:
    return {
        "page_lang": str(get_locale() or DEFAULT_LANGUAGE),
        "language_links": language_links,
        "js_strings": js_strings,
        "duration_label": duration_label,
        "participant_label": participant_labeller(),
        "session_title": session_title,
        "message_text": message_text,
        "segment_kind": lambda kind: (
            gettext(SEGMENT_KINDS[kind]) if kind in SEGMENT_KINDS else kind
        ),
        "language_names": lambda codes: ", ".join(LANGUAGES.get(code, code) for code in codes),
    }


def run_progress(run) -> dict:
    """How far a suggestion run is, for the page that waits for it (`static/js/progress.js`).
    A run that is done or gone says done: the page reloads, and the view says what became of
    it."""
    if run is None or run.done:
        return {"done": True}
    words = gettext("%(percent)s done", percent=format_percent(run.fraction))
    return {"done": False, "percent": round(run.fraction * 100), "words": words}


SEGMENT_KINDS = {
    "overview": N_("overview"),
    "prompts": N_("prompts"),
    "themes": N_("themes"),
    "vote": N_("vote"),
    "results": N_("results"),
    "break": N_("break"),
}


def duration_label(item) -> str:
    """A segment's (or a whole agenda's) planned minutes, "5 min" or "10–15 min", with the
    numbers written the reader's way."""
    planned, limit = item.planned_minutes, item.limit_minutes
    if limit > planned:
        return gettext(
            "%(planned)s–%(limit)s min",
            planned=format_decimal(planned),
            limit=format_decimal(limit),
        )
    return gettext("%(planned)s min", planned=format_decimal(planned))


def session_title(workshop) -> str:
    """A session's title as its agenda gives it in the reader's language."""
    return workshops.agenda_of(workshop, current_language()).title


def participant_labeller() -> Callable[[dict], str]:
    """Writes a payload's `who` ("Participant 7 (Ana)") in the reader's language. Each
    template is translated once per page, not once per answer: a console lists thousands."""
    translated: dict[str, str] = {}

    def translate(template: str) -> str:
        if template not in translated:
            translated[template] = gettext(template)
        return translated[template]

    return lambda who: participants.Label(**who).text(translate)


def language_links() -> list[dict]:
    """The language switch: one plain link per language to this page in that language."""
    here = str(get_locale() or DEFAULT_LANGUAGE)
    path, args = _page_address()
    return [
        {
            "code": code,
            "name": name,
            "current": code == here,
            "url": path + "?" + urlencode({**args, "lang": code}, doseq=True),
        }
        for code, name in LANGUAGES.items()
    ]


def _page_address() -> tuple[str, dict]:
    """Where a switch link leads: this page, or, for a page shown in answer to a form post,
    the page the form was on (the same-origin Referer), since a link cannot post."""
    if request.method in ("GET", "HEAD"):
        return request.path, request.args.to_dict(flat=False)
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return "/", {}
    args = parse_qs(referrer.query)
    args.pop("lang", None)
    return referrer.path or "/", args


def js_strings(agenda=None) -> dict:
    """What the page's script says, in the page's language: handed over in the page's
    initial state (`<script type="application/json">`), never as inline script."""
    strings = {key: gettext(text) for key, text in JS_STRINGS.items()}
    if agenda is not None:
        strings["segments"] = [segment.title for segment in agenda.segments]
    return strings


# A failed timer control, per control: the console flashes these and facilitator.js shows them.
CONTROL_FAILED = {
    "start": N_("Could not start: {error}"),
    "pause": N_("Could not pause: {error}"),
    "resume": N_("Could not resume: {error}"),
    "extend": N_("Could not extend the time: {error}"),
    "next": N_("Could not move to the next segment: {error}"),
    "previous": N_("Could not go back to the previous segment: {error}"),
    "end": N_("Could not end the session: {error}"),
    "reopen": N_("Could not reopen the session: {error}"),
}

JS_STRINGS = {
    # live.js: the countdown and the connection line
    "left": N_("left"),
    "over_planned": N_("over the planned time"),
    "overtime": N_("overtime: past the time limit"),
    "paused": N_("paused"),
    "not_started": N_("not started"),
    "ended": N_("ended"),
    "one_minute": N_("One minute left"),
    "overtime_now": N_("Overtime: past the time limit"),
    "planned_up": N_("The planned time is up"),
    "reconnecting": N_(
        "Connection lost: reconnecting… Anything you send is kept on this device until it is "
        "delivered."
    ),
    # participant.js
    "sending": N_("(sending…)"),
    "not_sent": N_("Not sent: {error}"),
    "change_sending": N_("Your change is kept on this phone until it is saved…"),
    "delete_sending": N_("Deleting: kept on this phone until it is done…"),
    "write_first": N_("Write something first."),
    "characters_used": N_("{used} of {limit} characters used"),
    "vote_still_sending": N_("Still sending your vote…"),
    "vote_in": N_("Your vote is in. You can change it until voting closes."),
    "change_vote": N_("Change my vote"),
    "vote_not_counted": N_("Your vote was not counted: {error}"),
    "pick_one": N_("Pick at least one."),
    "pick_once": N_("Pick each one only once."),
    "vote_sending": N_("Sending your vote…"),
    "vote_kept": N_(
        "Your vote is saved on this phone and will be sent when the connection is back."
    ),
    "rank_set": N_("Ranked {place}: {title}"),
    "rank_cleared": N_("Taken out of your ranking: {title}"),
    "rank_moved": N_("{title} is now {place}"),
    "move_up": N_("Move {title} up"),
    "move_down": N_("Move {title} down"),
    "answers_one": N_("{n} answer"),
    "answers_other": N_("{n} answers"),
    "now": N_("Now: {title}"),
    "session_ended": N_("The session has ended"),
    # screen.js
    "tied": N_("(tied)"),
    # facilitator.js and board.js
    "participant": participants.PARTICIPANT_LABEL,
    "paper_participant": participants.PAPER_PARTICIPANT_LABEL,
    "named_participant": participants.NAMED_LABEL,
    "title_ended": N_("Ended"),
    "title_not_started": N_("Not started"),
    "hidden_flag": N_("· hidden from the room"),
    "show": N_("Show"),
    "hide": N_("Hide"),
    "no_answer": N_("No answer from the server: try again."),
    "control_failed": N_("Could not do that: {error}"),
    "change_failed": N_("Could not change that answer: {error}"),
    "tally_row_label_one": N_("{title}: {points} point"),
    "tally_row_label_other": N_("{title}: {points} points"),
    "tally_figures_one": N_("{points} pts · {first} first · {ballots} ballot"),
    "tally_figures_other": N_("{points} pts · {first} first · {ballots} ballots"),
    "no_reply": N_("no answer"),
    "saving": N_("Saving…"),
    "saved": N_("Saved."),
    "not_saved": N_("No answer from the server: your change was not saved. Try again."),
    # board.js
    "selected": N_("{n} selected"),
    "unsorted": N_("Unsorted"),
    "moved_one": N_("Moved 1 answer to {title}."),
    "moved_other": N_("Moved {n} answers to {title}."),
    "tick_first": N_("Tick the answers to move first."),
    "no_theme_number": N_("No theme has the number {n}."),
    **{f"control_{action}": text for action, text in CONTROL_FAILED.items()},
}


# -- catalogs --------------------------------------------------------------------------------


def compile_catalogs(directory: Path, logger) -> None:
    """Compile each `messages.po` whose `.mo` is missing or older. `make setup` does this;
    doing it here too means a fresh checkout never serves untranslated pages."""
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            _write_mo(po_path, mo_path)
        except OSError as error:  # e.g. an installed package on a read-only disk
            logger.warning("could not compile %s: %s", po_path, error)


def _write_mo(po_path: Path, mo_path: Path) -> None:
    with po_path.open("rb") as source:
        catalog = read_po(source)
    # Written beside the target, then renamed: processes starting together never read half.
    handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(handle, "wb") as target:
            write_mo(target, catalog)
        os.replace(temporary, mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
