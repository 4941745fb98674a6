"""English and Spanish: the catalog covers every marked string, a participant picks the
language (Accept-Language, `?lang=`, the `lang` cookie), pages and socket acks speak it, the
agenda's Spanish texts reach the room, and dates and numbers are written the reader's way."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from room import (
    OVERVIEW,
    PLANNING,
    RETRO,
    RETRO_PROMPT,
    VOTE,
    Phone,
    new_client_id,
    open_room,
)
from sqlalchemy import select

from workshop.extensions import db
from workshop.messages import ActionError
from workshop.models import Participant, Workshop
from workshop.web import i18n

ROOT = Path(__file__).parent.parent
CATALOG = ROOT / "workshop" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
SPANISH_TITLE = "Retrospectiva de la Mesa Subregional de Thrive Inland SoCal - septiembre de 2024"
SPANISH_QUESTION = (
    "Al mirar hacia atrás el último año de nuestra mesa subregional, ¿qué funcionó bien?"
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


# -- the catalog ---------------------------------------------------------------------------------


def extracted() -> dict[str, set[str]]:
    """Every msgid pybabel finds (as `make translations` runs it), with where it was found."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    found: dict[str, set[str]] = {}
    for filename, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, directory_filter=_source_dirs
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            found.setdefault(msgid, set()).add(filename)
    return found


def _source_dirs(path: str) -> bool:
    name = Path(path).name
    return not name.startswith((".", "_")) and name not in {"node_modules", "static", "tests"}


CATALOGS = sorted((ROOT / "workshop" / "translations").glob("*/LC_MESSAGES/messages.po"))


@pytest.fixture(scope="module", params=CATALOGS, ids=lambda path: path.parts[-3])
def catalog(request):
    """Every language's catalog (Spanish now; another language is checked the same way)."""
    with request.param.open("rb") as handle:
        return read_po(handle, locale=request.param.parts[-3])


def test_spanish_is_among_the_catalogs():
    assert CATALOG in CATALOGS


@pytest.fixture(scope="module")
def strings():
    return extracted()


def test_the_extractor_finds_participant_projector_and_domain_strings(strings):
    for expected in ("Join the session", "Vote now on your phone: pick your top %(picks)s."):
        assert expected in strings
    assert "too long: at most {limit} characters" in strings  # an ActionError's N_ template
    assert (
        "Connection lost: reconnecting… Anything you send is kept on this device until it is delivered."
        in strings
    )
    assert len(strings) > 400


def test_every_marked_string_has_a_spanish_translation(strings, catalog):
    by_id = {msgid: message for message in catalog if message.id for msgid in _ids(message)}
    missing = []
    for msgid, places in sorted(strings.items()):
        message = by_id.get(msgid)
        texts = _texts(message)
        if message is None or message.fuzzy or not texts or not all(texts):
            missing.append(f"{msgid!r} ({', '.join(sorted(places))})")
    assert not missing, f"no {catalog.locale} translation for:\n" + "\n".join(missing)


def test_the_catalog_has_no_obsolete_or_fuzzy_entries(catalog):
    assert not catalog.obsolete, f"obsolete entries: {list(catalog.obsolete)}"
    assert not [m.id for m in catalog if m.id and m.fuzzy]


def test_every_catalog_entry_is_still_used(strings, catalog):
    unused = [m.id for m in catalog if m.id and not set(_ids(m)) & set(strings)]
    assert not unused, f"entries nothing marks any more: {unused}"


def test_translations_keep_every_placeholder(catalog):
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        wanted = _placeholders(_ids(message)[-1])
        for text in _texts(message):
            if _placeholders(text) != wanted:
                wrong.append(f"{message.id!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


# One word for one thing, as the region's Spanish-speaking members read it: a person who
# meets "boleta" on the phone and "papeleta" on the results wonders if they differ.
SPANISH_WORDS = {
    "boleta": r"\bpapeletas?\b",
    "agregar": r"\ba(ñ|n)adir",
    "conteo": r"\brecuentos?\b",
}


def test_spanish_uses_one_word_for_each_thing():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    mixed = [
        f"{text!r} (use {word})"
        for message in catalog
        if message.id
        for text in _texts(message)
        for word, other in SPANISH_WORDS.items()
        if re.search(other, text, re.IGNORECASE)
    ]
    assert not mixed, "\n".join(mixed)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _texts(message) -> tuple[str, ...]:
    if message is None:
        return ()
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_a_missing_catalog_is_compiled_at_start(tmp_path):
    folder = tmp_path / "translations" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(CATALOG, folder / "messages.po")
    i18n.compile_catalogs(tmp_path / "translations", logger=None)
    compiled = folder / "messages.mo"
    assert compiled.exists() and compiled.stat().st_size > 1000
    before = compiled.stat().st_mtime_ns
    i18n.compile_catalogs(tmp_path / "translations", logger=None)  # fresh: left alone
    assert compiled.stat().st_mtime_ns == before


# -- domain messages at the edges ----------------------------------------------------------------


def test_an_action_error_stays_english_and_is_translated_at_the_edge(tmp_path):
    error = ActionError(i18n.N_("too long: at most {limit} characters"), "too_long", limit=280)
    assert str(error) == "too long: at most 280 characters"
    with open_room(tmp_path) as room, room.app.test_request_context("/?lang=es"):
        assert i18n.error_text(error) == "demasiado largo: como máximo 280 caracteres"
        labelled = ActionError(i18n.N_("{label}: pick one of the choices"), "role", label="Role")
        assert i18n.error_text(labelled, label="Su rol") == "Su rol: elija una de las opciones"


# -- choosing the language -----------------------------------------------------------------------


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as room:
        yield room


@pytest.fixture
def host(room):
    return room.facilitator()


@pytest.fixture
def session(host):
    return host.start()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def initial_state(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="initial-state">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_the_join_page_follows_the_browsers_language(room, session):
    phone = room.anonymous()
    page = phone.get(f"/w/{session.code}", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Responda estas preguntas para unirse" in html
    assert SPANISH_TITLE in html
    assert phone.http.get_cookie("lang") is None  # only an explicit choice is remembered
    english = room.anonymous().page(f"/w/{session.code}")
    assert '<html lang="en">' in english and "Answer these questions to join" in english


def test_choosing_spanish_on_the_join_page_is_remembered_and_can_be_undone(room, session):
    phone = room.anonymous()
    html = phone.page(f"/w/{session.code}?lang=es")
    assert "Unirme a la sesión" in html and SPANISH_TITLE in html
    assert phone.http.get_cookie("lang").value == "es"
    assert "Unirme a la sesión" in phone.page(f"/w/{session.code}")  # the cookie remembers
    back = phone.page(f"/w/{session.code}?lang=en")
    assert "Join the session" in back and '<html lang="en">' in back
    assert phone.http.get_cookie("lang").value == "en"
    switched = phone.get(f"/w/{session.code}", headers={"Accept-Language": "es"})
    assert "Join the session" in switched.get_data(as_text=True)  # the choice beats the browser


def test_every_participant_page_has_a_language_switch_that_works_without_script(room, session):
    phone = room.anonymous()
    html = phone.page(f"/w/{session.code}?lang=es")
    switch = re.search(r'<nav class="lang-switch"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert f'href="/w/{session.code}?lang=en"' in switch and 'lang="en">English<' in switch
    assert 'aria-current="true">Español<' in switch
    assert 'aria-label="Idioma"' in html
    assert 'href="/?lang=es"' in room.anonymous().page("/")


def test_the_switch_keeps_the_pages_other_query_arguments(room, session, host):
    phone = room.phone(session)
    host.go_to(session, VOTE)
    html = phone.live("voted=1")
    assert f'href="/w/{session.code}?voted=1&amp;lang=es"' in html


def test_a_choice_made_in_spanish_stores_the_agendas_own_value(room, session):
    phone = room.anonymous()
    html = phone.page(f"/w/{session.code}?lang=es")
    assert 'value="SRT member"' in html and "> Integrante de la SRT</label>" in html
    assert "Su rol en la Mesa Subregional" in html and "Su nombre (opcional)" in html
    assert phone.post(f"/w/{session.code}/join", {"role": "SRT member"}).status_code == 302
    with room.app.app_context():
        stored = db.session.scalars(select(Participant)).one()
        assert stored.role == "SRT member"


def test_a_join_error_names_the_question_in_spanish(room, session):
    phone = room.anonymous()
    phone.page(f"/w/{session.code}?lang=es")
    page = phone.post(f"/w/{session.code}/join", {"role": ""})
    assert page.status_code == 400
    assert "Su rol en la Mesa Subregional: por favor, responda esta pregunta" in page.get_data(
        as_text=True
    )


# -- the agenda's Spanish texts reach the room ----------------------------------------------------


def spanish_phone(room, session) -> Phone:
    phone = Phone(room)
    phone.page(f"/w/{session.code}?lang=es")
    return phone.join(session)


def test_the_live_page_shows_the_agendas_spanish_texts(room, session, host):
    phone = spanish_phone(room, session)
    host.go_to(session, OVERVIEW)
    overview = text_of(phone.live())
    assert "Panorama general e introducción" in overview
    assert "Acuerdos comunitarios" in overview and "Una voz a la vez." in overview
    host.go_to(session, RETRO)
    html = phone.live()
    assert SPANISH_QUESTION in html and "Preguntas de retrospectiva" in html
    assert "Parte 2 de 4" in html and "Enviar respuesta" in html
    state = initial_state(html)
    assert state["i18n"]["segments"][RETRO] == "Preguntas de retrospectiva"
    assert state["i18n"]["vote_in"].startswith("Su voto quedó registrado")


def test_the_plan_and_its_strategies_appear_in_spanish(room, session, host):
    phone = spanish_phone(room, session)
    host.go_to(session, PLANNING)
    html = phone.live()
    assert "Plan Regional de Desarrollo Económico: industrias y estrategias" in html
    assert ">Manufactura avanzada</option>" in html
    assert "¿A qué estrategia contribuye?" in html


def test_the_vote_and_the_theme_page_show_spanish(room, session, host):
    phone = spanish_phone(room, session)
    host.go_to(session, RETRO)
    answer = phone.answer("More time for small groups")
    host.board(session, "create", new_title="Time", response_ids=str(answer))
    host.go_to(session, VOTE)
    assert host.vote(session, "open").status_code == 302
    vote = text_of(phone.live())
    assert "Priorización de temas clave" in vote
    assert "Elija sus 3 prioridades principales" in vote and "Primera opción" in vote
    theme_id = next(iter(room.themes(session)))
    theme = text_of(phone.page(f"/w/{session.code}/themes/{theme_id}"))
    assert "1 respuesta" in theme and SPANISH_QUESTION in theme
    assert "Volver a la sesión" in theme


def test_the_projector_shows_spanish_when_asked(room, session, host):
    host.go_to(session, RETRO)
    screen = room.anonymous()
    html = screen.page(f"/screen/{session.token}?lang=es")
    assert '<html lang="es">' in html
    assert "Preguntas de retrospectiva" in html and SPANISH_QUESTION in html
    assert "Únase en" in html and "lang-switch" in html
    assert initial_state(html)["i18n"]["one_minute"] == "Queda un minuto"
    english = room.anonymous().page(f"/screen/{session.token}")
    assert "Retrospective Questions" in english and "Join at" in english


# -- refusals in the reader's language -----------------------------------------------------------


def test_a_refused_answer_is_explained_in_spanish_on_the_page(room, session, host):
    phone = spanish_phone(room, session)
    host.go_to(session, RETRO)
    data = {"prompt_id": RETRO_PROMPT, "text": "x" * 300, "client_id": new_client_id()}
    page = phone.post(f"/w/{session.code}/responses", data)
    assert page.status_code == 400
    assert "demasiado largo: como máximo 280 caracteres" in page.get_data(as_text=True)


def test_a_refused_answer_is_explained_in_spanish_in_the_socket_ack(room, session, host):
    phone = spanish_phone(room, session)
    host.go_to(session, RETRO)
    socket = phone.socket()
    payload = {"prompt_id": RETRO_PROMPT, "text": "x" * 300, "client_id": new_client_id()}
    ack = socket.emit("respond", payload)
    assert ack == {
        "ok": False,
        "error": "demasiado largo: como máximo 280 caracteres",
        "code": "too_long",
    }
    english = room.phone(session).socket()
    assert english.emit("respond", {**payload, "client_id": new_client_id()})["error"] == (
        "too long: at most 280 characters"
    )


def test_a_refused_ballot_is_explained_in_spanish(room, session, host):
    phone = spanish_phone(room, session)
    host.go_to(session, RETRO)
    answer = phone.answer("Shared calendar")
    host.board(session, "create", new_title="Calendar", response_ids=str(answer))
    host.go_to(session, VOTE)
    host.vote(session, "open")
    round_id = room.rounds(session)[0]["id"]
    candidate = next(iter(room.rounds(session)[0]["candidates"].values()))
    page = phone.ballot(round_id, candidate, candidate)
    assert page.status_code == 400
    assert "Su voto no se guardó: elija cada una solo una vez." in page.get_data(as_text=True)
    ack = phone.socket().emit(
        "ballot", {"round_id": round_id, "picks": [], "client_id": new_client_id()}
    )
    assert ack["error"] == "elija al menos una"


# -- the facilitator's side ----------------------------------------------------------------------


def test_the_console_speaks_spanish_and_writes_dates_and_numbers_the_spanish_way(
    room, session, host
):
    host.get("/facilitator/?lang=es")
    html = host.page(f"/facilitator/w/{session.id}")
    with room.app.app_context():
        created = db.session.get(Workshop, session.id).created_at
    assert "Abrir la vista del proyector" in html and "Terminar la sesión" in html
    # Said in UTC until the browser writes it in the reader's zone (tests/test_e2e_console.py).
    assert re.search(
        rf'Iniciada el <time datetime="{re.escape(created.isoformat())}" data-local-time>'
        rf"{format_date(created, 'medium', locale='es')}, [^<]* UTC</time>",
        html,
    )
    assert "Panorama general e introducción" in html  # the agenda as Spanish readers see it
    assert "10–15 min" in html
    assert initial_state(html)["i18n"]["control_pause"] == "No se pudo pausar: {error}"


def test_a_refused_control_is_flashed_in_spanish(room, session, host):
    host.get("/facilitator/?lang=es")
    host.go_to(session, RETRO)  # running, so "resume" is refused
    assert host.control(session, "resume").status_code == 302
    html = host.page(f"/facilitator/w/{session.id}")
    assert "No se pudo reanudar: el temporizador no está en pausa." in html


def test_the_results_page_formats_dates_and_counts_per_language(room, session, host):
    room.phone(session)
    with room.app.app_context():
        created = db.session.get(Workshop, session.id).created_at
    host.get("/facilitator/?lang=es")
    spanish = text_of(host.page(f"/facilitator/w/{session.id}/results"))
    assert f"Fecha: {format_date(created, 'long', locale='es')}" in spanish
    assert "1 participante" in spanish and "La sesión todavía no ha empezado." in spanish
    host.get("/facilitator/?lang=en")
    english = text_of(host.page(f"/facilitator/w/{session.id}/results"))
    assert f"Date: {format_date(created, 'long', locale='en')}" in english
    assert "1 participant" in english


def test_a_shared_results_link_has_a_language_switch(room, session, host):
    host.post(f"/facilitator/w/{session.id}/results/share", {"expires_in_days": "7"})
    html = host.page(f"/facilitator/w/{session.id}/results")
    url = re.search(r'value="(http://localhost/shared/[^"]+)"', html).group(1)
    reader = room.anonymous()
    shared = reader.page(url.removeprefix("http://localhost") + "?lang=es")
    assert "Resultados de solo lectura compartidos por el equipo de facilitación" in shared
    assert "lang-switch" in shared


def test_the_paper_form_shows_spanish_roles_but_stores_the_agendas_value(room, session, host):
    host.get("/facilitator/?lang=es")
    html = host.page(f"/facilitator/w/{session.id}/paper/")
    assert '<option value="SRT chair">Presidencia de la SRT</option>' in html
    host.post(f"/facilitator/w/{session.id}/paper/", {"role": "SRT chair"})
    with room.app.app_context():
        assert db.session.scalars(select(Participant.role)).one() == "SRT chair"


def test_a_vote_on_the_plans_strategies_names_them_in_spanish(room, session, host):
    phone = spanish_phone(room, session)
    host.go_to(session, VOTE)
    assert host.vote(session, "open", source="strategies").status_code == 302
    vote = phone.live()
    assert ">Manufactura avanzada</option>" in vote and "Acceso al cuidado infantil" in vote
    assert "Advanced manufacturing" in room.phone(session).live()
    assert "Advanced manufacturing" in room.rounds(session)[0]["candidates"]  # stored in English
    screen = room.anonymous().page(f"/screen/{session.token}?lang=es")
    assert "Manufactura avanzada" in screen


def add_paper_participant(host, session) -> int:
    assert host.post(f"/facilitator/w/{session.id}/paper/", {"role": "Other"}).status_code == 302
    page = host.page(f"/facilitator/w/{session.id}/paper/")
    return int(re.findall(r'id="paper-(\d+)"', page)[-1])


def test_participants_are_labelled_in_the_readers_language(room, session, host):
    """The console writes "Participant 1 (Ana)" and "Paper participant 2" in Spanish, in the
    page and in what its script gets to write arriving answers; the event keeps the English
    label (as the downloads do) beside what it is made of."""
    host.go_to(session, RETRO)
    room.phone(session, name="Ana").answer("Monthly meetings")
    person = add_paper_participant(host, session)
    card = {"prompt_id": RETRO_PROMPT, "text": "From a card", "client_id": new_client_id()}
    assert host.post(f"/facilitator/w/{session.id}/paper/{person}/answers", card).status_code == 302
    host.get("/facilitator/?lang=es")
    spanish = text_of(host.page(f"/facilitator/w/{session.id}"))
    assert "Participante 1 (Ana)" in spanish and "Participante en papel 2" in spanish
    assert "Participant 1" not in spanish and "Paper participant" not in spanish
    strings = initial_state(host.page(f"/facilitator/w/{session.id}"))["i18n"]
    assert strings["participant"] == "Participante {number}"
    assert strings["paper_participant"] == "Participante en papel {number}"
    snapshot = host.socket(session).last("snapshot")
    assert [r["who"] for r in snapshot["responses"]] == [
        {"number": 1, "paper": False, "name": "Ana"},
        {"number": 2, "paper": True, "name": None},
    ]
    assert [r["participant"] for r in snapshot["responses"]] == [
        "Participant 1 (Ana)",
        "Paper participant 2",
    ]
    host.get("/facilitator/?lang=en")
    english = text_of(host.page(f"/facilitator/w/{session.id}"))
    assert "Participant 1 (Ana)" in english and "Paper participant 2" in english


ENGLISH_TITLE = "Thrive Inland SoCal Subregional Table Retrospective - September 2024"


def test_the_library_shows_each_agenda_in_the_readers_language(room, session, host):
    """The dashboard (shared agendas, the reader's own, their sessions) and an agenda's page
    show the agenda's Spanish title, segments, questions and plan to a Spanish reader."""
    assert host.post("/facilitator/editor/copy/thrive-srt-retrospective").status_code == 302
    host.get("/facilitator/?lang=es")
    dashboard = text_of(host.page("/facilitator/"))
    assert dashboard.count(SPANISH_TITLE) >= 3  # a session, the shared agenda, the own copy
    assert ENGLISH_TITLE not in dashboard
    assert "Panorama general e introducción" in dashboard
    assert "Overview & Introduction" not in dashboard
    detail = text_of(host.page("/facilitator/agendas/thrive-srt-retrospective"))
    assert SPANISH_TITLE in detail and SPANISH_QUESTION in detail
    assert "Manufactura avanzada" in detail and "Preguntas de retrospectiva" in detail
    assert ENGLISH_TITLE not in detail and "Advanced manufacturing" not in detail
    host.get("/facilitator/?lang=en")
    assert ENGLISH_TITLE in host.page("/facilitator/agendas/thrive-srt-retrospective")


def test_a_sessions_pages_show_its_title_in_the_readers_language(room, session, host):
    host.get("/facilitator/?lang=es")
    for path in ("", "/board/", "/paper/", "/results"):
        page = host.page(f"/facilitator/w/{session.id}{path}")
        assert SPANISH_TITLE in page, path
        assert ENGLISH_TITLE not in page, path


def test_the_results_page_shows_the_agendas_spanish_texts(room, session, host):
    """Questions, segments, roles and a strategy vote's candidates in Spanish on the page; the
    downloads keep the agenda's own (English) words, as docs/exports.md says."""
    phone = room.phone(session, role="SRT chair")
    host.go_to(session, RETRO)
    phone.answer("Monthly meetings")
    host.go_to(session, VOTE)
    assert host.vote(session, "open", source="strategies").status_code == 302
    host.get("/facilitator/?lang=es")
    page = text_of(host.page(f"/facilitator/w/{session.id}/results"))
    assert SPANISH_TITLE in page and SPANISH_QUESTION in page
    assert "Preguntas de retrospectiva" in page and "Presidencia de la SRT" in page
    assert "Manufactura avanzada" in page
    for english in (
        ENGLISH_TITLE,
        "Retrospective Questions",
        "SRT chair",
        "Advanced manufacturing",
    ):
        assert english not in page
    exported = host.get(f"/facilitator/w/{session.id}/results/download/json").get_json()
    assert exported["workshop"]["title"] == ENGLISH_TITLE
    assert "Advanced manufacturing" in [theme["title"] for theme in exported["themes"]]
