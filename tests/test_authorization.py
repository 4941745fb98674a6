"""The authorization matrix of docs/protocol.md: every HTTP route and every Socket.IO event,
for every audience, is allowed or refused exactly as documented, and a refusal changes
nothing in the database.

The routes come from `app.url_map` and the events from the Socket.IO server's handlers, so
a route or event added without a row here fails `test_every_route_is_in_the_matrix` or
`test_every_socket_event_is_in_the_matrix`.

Each case runs in a `World` (tests/security_support.py): this session with an answer in a
theme, an open vote, a paper participant, a share link and a saved agenda of its facilitator,
plus another session with its own facilitator and participant. Join codes and ids are not
secrets, so every audience aims at this session's; the screen token and the share token are
known only to the projector and the share-link holder (everyone else sends a well-formed
token that is not one: no cookie stands in for them). A world is reused by the next case
while nothing in it has changed.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from collections_support import TABLES, export_bytes
from conftest import AGENDA_FIXTURES
from room import RETRO_PROMPT, ROLE, open_room
from security_support import (
    ANONYMOUS,
    AUDIENCES,
    FACILITATOR,
    OTHER_FACILITATOR,
    OTHER_PARTICIPANT,
    PARTICIPANT,
    PROJECTOR,
    SHARE_HOLDER,
    Worlds,
    changed_tables,
    registered_events,
)

from workshop.extensions import db
from workshop.models import WorkshopFacilitator

SIGNED_IN = (FACILITATOR, OTHER_FACILITATOR)
NOT_YOURS = "No session of yours has that number."
NOT_IN_LIBRARY = "No agenda with that id in the library."
NOT_YOUR_AGENDA = "You have no agenda with that id."
BAD_SCREEN = "This screen link is not valid."
BAD_SHARE = "This share link does not work: it may have expired or been revoked."
SIGN_IN_FIRST = "Sign in as a facilitator of this session, or use a share link."


# -- what an audience gets -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """An answer: its status, `location` (exact, or a prefix when it ends with `*`), a text
    the body shows, or the JSON body; `writes` says that an allowed request stores something."""

    allowed: bool
    status: int
    location: str | None = None
    shows: str | None = None
    json: dict | None = None
    writes: bool = False


def ok(shows: str | None = None, writes: bool = False) -> Outcome:
    return Outcome(True, 200, shows=shows, writes=writes)


def moved(location: str, writes: bool = False) -> Outcome:
    return Outcome(True, 302, location, writes=writes)


def not_found(message: str) -> Outcome:
    return Outcome(False, 404, shows=message)


SIGN_IN = Outcome(False, 302, "/auth/login?next={next}")
JOIN_FIRST = Outcome(False, 302, "/w/{code}")  # participant routes without a participant cookie
NOT_YOURS_404 = not_found(NOT_YOURS)


def facilitator_route(allowed: Outcome, stranger: Outcome = NOT_YOURS_404) -> dict[str, Outcome]:
    """`login_required`: the sign-in redirect, and a session of someone else's is not found."""
    expect = dict.fromkeys(AUDIENCES, SIGN_IN)
    return expect | {OTHER_FACILITATOR: stranger, FACILITATOR: allowed}


def any_facilitator(allowed: Outcome) -> dict[str, Outcome]:
    return facilitator_route(allowed, stranger=allowed)


def participant_route(allowed: Outcome, refused: Outcome = JOIN_FIRST) -> dict[str, Outcome]:
    return dict.fromkeys(AUDIENCES, refused) | {PARTICIPANT: allowed}


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(AUDIENCES, outcome)


def holder(audience: str, allowed: Outcome, refused: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(AUDIENCES, refused) | {audience: allowed}


# -- the HTTP routes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    rule: str  # as app.url_map spells it
    path: str  # with {fields} of World.fields
    expect: dict[str, Outcome]
    form: dict[str, Any] = field(default_factory=dict)
    variant: str = ""
    upload: bool | tuple[str, bytes, str] = False  # True: an agenda file; or (field, body, name)

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule}" + (f" ({self.variant})" if self.variant else "")


W = "/facilitator/w/<int:workshop_id>"
P = "/facilitator/w/{id}"
AGENDA = "/facilitator/agendas/<agenda_id>"
EDITOR = "/facilitator/editor"
UPLOAD = (AGENDA_FIXTURES / "minimal.toml").read_bytes()

ROUTES = [
    # -- anyone
    Route("GET", "/", "/", everyone(ok("Join a session"))),
    Route("GET", "/healthz", "/healthz", everyone(Outcome(True, 200, json={"database": True}))),
    Route("GET", "/join", "/join?code={code}", everyone(moved("/w/{code}"))),
    Route(
        "GET",
        "/auth/login",
        "/auth/login",
        everyone(ok("Sign in")) | dict.fromkeys(SIGNED_IN, moved("/facilitator/")),
    ),
    Route(
        "POST",
        "/auth/login",
        "/auth/login",
        everyone(moved("/facilitator/")),
        form={"email": "{host_email}", "password": "{password}"},
    ),
    Route(
        "POST",
        "/auth/logout",
        "/auth/logout",
        everyone(moved("/auth/login"))
        | dict.fromkeys(SIGNED_IN, moved("/auth/login", writes=True)),
    ),
    # -- participants
    Route(
        "GET",
        "/w/<code>",
        "/w/{code}",
        participant_route(ok('id="initial-state"'), ok('action="/w/{code}/join"')),
    ),
    Route(
        "POST",
        "/w/<code>/join",
        "/w/{code}/join",
        everyone(moved("/w/{code}", writes=True)) | {PARTICIPANT: moved("/w/{code}")},  # joined
        form={"name": "Cy", "role": ROLE},
    ),
    Route(
        "GET",
        "/w/<code>/segment",
        "/w/{code}/segment",
        participant_route(
            ok('class="segment"'), Outcome(False, 403, shows="Join the session first.")
        ),
    ),
    Route(
        "GET",
        "/w/<code>/themes/<int:theme_id>",
        "/w/{code}/themes/{tid}",
        participant_route(ok("Monthly meetings built trust")),
    ),
    Route(
        "POST",
        "/w/<code>/responses",
        "/w/{code}/responses",
        participant_route(moved("/w/{code}#prompt-worked_well", writes=True)),
        form={"prompt_id": RETRO_PROMPT, "text": "Peer networking", "client_id": "{client_id}"},
    ),
    Route(
        "POST",
        "/w/<code>/responses/<int:response_id>/edit",
        "/w/{code}/responses/{rid}/edit",
        participant_route(moved("/w/{code}#prompt-worked_well", writes=True)),
        form={"text": "Edited answer"},
    ),
    Route(
        "POST",
        "/w/<code>/responses/<int:response_id>/delete",
        "/w/{code}/responses/{rid}/delete",
        participant_route(moved("/w/{code}#prompt-worked_well", writes=True)),
    ),
    Route(
        "POST",
        "/w/<code>/ballot",
        "/w/{code}/ballot",
        participant_route(moved("/w/{code}?voted=1#vote", writes=True)),
        form={"round_id": "{round}", "pick-1": "{cand}", "client_id": "{client_id}"},
    ),
    # -- the projector
    Route(
        "GET", "/screen/<token>", "/screen/{token}", holder(PROJECTOR, ok(), not_found(BAD_SCREEN))
    ),
    Route(
        "GET",
        "/screen/<token>/segment",
        "/screen/{token}/segment",
        holder(PROJECTOR, ok('class="screen-segment"'), not_found(BAD_SCREEN)),
    ),
    # -- share-link holders
    Route(
        "GET",
        "/shared/<token>",
        "/shared/{share}",
        holder(SHARE_HOLDER, ok("Read-only results"), not_found(BAD_SHARE)),
    ),
    *[
        Route(
            "GET",
            "/shared/<token>/download/<fmt>",
            f"/shared/{{share}}/download/{fmt}",
            holder(SHARE_HOLDER, ok(), not_found(BAD_SHARE)),
            variant=fmt,
        )
        for fmt in ("csv", "xlsx", "json", "pdf")
    ],
    Route(
        "GET",
        "/api/share/<token>/results",
        "/api/share/{share}/results",
        holder(
            SHARE_HOLDER,
            Outcome(True, 200, json={"audience": "shared"}),
            Outcome(False, 404, json={"error": BAD_SHARE}),
        ),
    ),
    # -- facilitators: library, console, board, paper, vote, results
    Route("GET", "/facilitator/", "/facilitator/", any_facilitator(ok("Agenda library"))),
    Route(
        "GET",
        AGENDA,
        "/facilitator/agendas/{agenda}",
        facilitator_route(ok(), not_found(NOT_IN_LIBRARY)),
    ),
    Route(
        "GET",
        AGENDA,
        "/facilitator/agendas/{library}",
        any_facilitator(ok()),
        variant="library agenda",
    ),
    Route(
        "POST",
        AGENDA + "/start",
        "/facilitator/agendas/{agenda}/start",
        facilitator_route(moved("/facilitator/w/*", writes=True), not_found(NOT_IN_LIBRARY)),
    ),
    Route(
        "POST",
        AGENDA + "/start",
        "/facilitator/agendas/{library}/start",
        any_facilitator(moved("/facilitator/w/*", writes=True)),
        variant="library agenda",
    ),
    Route("GET", W, P, facilitator_route(ok('id="initial-state"'))),
    Route(
        "POST",
        W + "/control",
        P + "/control",
        facilitator_route(moved(P, writes=True)),
        form={"action": "pause"},
    ),
    Route("GET", W + "/end", P + "/end", facilitator_route(ok("End this session?"))),
    Route(
        "POST",
        W + "/responses/<int:response_id>/hide",
        P + "/responses/{rid}/hide",
        facilitator_route(moved(P + "#responses", writes=True)),
        form={"hidden": "1"},
    ),
    Route(
        "POST",
        W + "/screen/",
        P + "/screen/",
        facilitator_route(moved(P + "#projector", writes=True)),
        form={"op": "join", "shown": "1"},
    ),
    Route("GET", W + "/vote", P + "/vote", facilitator_route(ok("data-vote-panel"))),
    Route(
        "POST",
        W + "/vote",
        P + "/vote",
        facilitator_route(moved(P + "#voting", writes=True)),
        form={"op": "hide_tally", "round_id": "{round}", "hidden": "1"},
    ),
    Route("GET", W + "/board/", P + "/board/", facilitator_route(ok("Unsorted"))),
    Route(
        "GET",
        W + "/board/fragment",
        P + "/board/fragment",
        facilitator_route(ok("data-board-form")),
    ),
    Route(
        "POST",
        W + "/board/",
        P + "/board/",
        facilitator_route(moved(P + "/board/", writes=True)),
        form={"op": "create", "new_title": "Transit"},
    ),
    Route(
        "POST",
        W + "/board/suggest",
        P + "/board/suggest",
        # a run starts and its page follows it (or, all answers sorted, back to the board)
        facilitator_route(moved(P + "/board/*")),
    ),
    Route(
        "GET",
        W + "/board/suggest/<run_id>",
        P + "/board/suggest/no-such-run",
        facilitator_route(moved(P + "/board/")),  # a run no process holds: ask again
    ),
    Route(
        "POST",
        W + "/board/accept",
        P + "/board/accept",
        facilitator_route(moved(P + "/board/", writes=True)),
        # the answer is already in the theme: accepting links the suggested strategy to it
        form={
            "accept": "0",
            "title-0": "Trust",
            "theme-0": "{tid}",
            "responses-0": "{rid}",
            "strategies-0": "cybersecurity",
        },
    ),
    Route("GET", W + "/paper/", P + "/paper/", facilitator_route(ok("Paper participant"))),
    Route(
        "POST",
        W + "/paper/",
        P + "/paper/",
        facilitator_route(moved(P + "/paper/#paper-*", writes=True)),
        form={"role": ROLE},
    ),
    Route(
        "POST",
        W + "/paper/<int:participant_id>/answers",
        P + "/paper/{pid}/answers",
        facilitator_route(moved(P + "/paper/#paper-{pid}", writes=True)),
        form={"prompt_id": RETRO_PROMPT, "text": "From a paper card"},
    ),
    Route(
        "POST",
        W + "/paper/<int:participant_id>/ballot",
        P + "/paper/{pid}/ballot",
        facilitator_route(moved(P + "/paper/#paper-{pid}", writes=True)),
        form={"round_id": "{round}", "pick-1": "{cand}"},
    ),
    Route("GET", W + "/results", P + "/results", facilitator_route(ok("Create share link"))),
    *[
        Route(
            "GET",
            W + "/results/download/<fmt>",
            P + f"/results/download/{fmt}",
            facilitator_route(ok()),
            variant=fmt,
        )
        for fmt in ("csv", "xlsx", "json", "pdf")
    ],
    Route(
        "GET",
        "/api/workshops/<int:workshop_id>/links",
        "/api/workshops/{id}/links",
        facilitator_route(
            Outcome(True, 200, json={}),  # a JSON body; tests/test_sharing.py checks it
            Outcome(False, 404, json={"error": NOT_YOURS}),
        )
        | dict.fromkeys(
            (ANONYMOUS, PARTICIPANT, OTHER_PARTICIPANT, PROJECTOR, SHARE_HOLDER),
            Outcome(False, 401, json={"error": SIGN_IN_FIRST}),
        ),
    ),
    Route(
        "GET",
        "/api/workshops/<int:workshop_id>/results",
        "/api/workshops/{id}/results",
        facilitator_route(
            Outcome(True, 200, json={"audience": "facilitator"}),
            Outcome(False, 404, json={"error": NOT_YOURS}),
        )
        | dict.fromkeys(
            (ANONYMOUS, PARTICIPANT, OTHER_PARTICIPANT, PROJECTOR, SHARE_HOLDER),
            Outcome(False, 401, json={"error": SIGN_IN_FIRST}),
        ),
    ),
    Route(
        "POST",
        W + "/results/share",
        P + "/results/share",
        facilitator_route(moved(P + "/results#sharing", writes=True)),
        form={"expires_in_days": "7", "label": "For the evaluators"},
    ),
    Route(
        "POST",
        W + "/results/share/<int:link_id>/revoke",
        P + "/results/share/{link}/revoke",
        facilitator_route(moved(P + "/results#sharing", writes=True)),
    ),
    # -- facilitators: the agenda editor (own agendas; any facilitator may make new ones)
    Route("GET", EDITOR + "/new", EDITOR + "/new", any_facilitator(ok("data-editor"))),
    Route(
        "POST",
        EDITOR + "/new",
        EDITOR + "/new",
        any_facilitator(ok("data-editor")),  # a list button: the form comes back, nothing stored
        form={"action": "segments:add"},
    ),
    Route(
        "GET",
        EDITOR + "/edit/<agenda_id>",
        EDITOR + "/edit/{agenda}",
        facilitator_route(ok("data-editor"), not_found(NOT_YOUR_AGENDA)),
    ),
    Route(
        "POST",
        EDITOR + "/edit/<agenda_id>",
        EDITOR + "/edit/{agenda}",
        facilitator_route(ok("data-editor"), not_found(NOT_YOUR_AGENDA)),
        form={"action": "segments:add"},
    ),
    Route(
        "POST",
        EDITOR + "/copy/<agenda_id>",
        EDITOR + "/copy/{agenda}",
        facilitator_route(moved(EDITOR + "/edit/*", writes=True), not_found(NOT_IN_LIBRARY)),
    ),
    Route(
        "POST",
        EDITOR + "/copy/<agenda_id>",
        EDITOR + "/copy/{library}",
        any_facilitator(moved(EDITOR + "/edit/*", writes=True)),
        variant="library agenda",
    ),
    Route(
        "POST",
        EDITOR + "/delete/<agenda_id>",
        EDITOR + "/delete/{agenda}",
        facilitator_route(moved("/facilitator/", writes=True), not_found(NOT_YOUR_AGENDA)),
    ),
    Route(
        "GET",
        EDITOR + "/preview/<agenda_id>",
        EDITOR + "/preview/{agenda}",
        facilitator_route(ok(), not_found(NOT_IN_LIBRARY)),
    ),
    Route(
        "GET",
        EDITOR + "/download/<agenda_id>.toml",
        EDITOR + "/download/{agenda}.toml",
        facilitator_route(ok("[[segments]]"), not_found(NOT_IN_LIBRARY)),
    ),
    Route("GET", EDITOR + "/upload", EDITOR + "/upload", any_facilitator(ok("toml"))),
    Route(
        "POST",
        EDITOR + "/upload",
        EDITOR + "/upload",
        any_facilitator(moved("/facilitator/agendas/*", writes=True)),
        upload=True,
    ),
]

# -- regional roll-ups: the host's collection holds this session ------------------------------

C = "/facilitator/collections/<int:collection_id>"
Q = "/facilitator/collections/{cid}/"
NOT_YOUR_COLLECTION = "No collection of yours has that number."
OWNERS_FIRST = "Sign in as an owner of this collection, or use a share link."
EXPORT = export_bytes(TABLES[0], 99)


def owner_route(allowed: Outcome) -> dict[str, Outcome]:
    return facilitator_route(allowed, not_found(NOT_YOUR_COLLECTION))


ROUTES += [
    Route("GET", "/facilitator/collections/", "/facilitator/collections/", any_facilitator(ok("Regional roll-ups"))),
    Route("POST", "/facilitator/collections/", "/facilitator/collections/",
          any_facilitator(moved("/facilitator/collections/*", writes=True)), form={"name": "Another round"}),
    Route("GET", C + "/", Q, owner_route(ok("The plan's strategies across tables"))),
    *[Route("GET", C + "/download/<fmt>", Q + f"download/{fmt}", owner_route(ok()), variant=fmt)
      for fmt in ("csv", "xlsx", "json", "pdf")],
    Route("GET", "/api/collections/<int:collection_id>/rollup", "/api/collections/{cid}/rollup",
          facilitator_route(Outcome(True, 200, json={"schema_version": 1}),
                            Outcome(False, 404, json={"error": NOT_YOUR_COLLECTION}))
          | dict.fromkeys((ANONYMOUS, PARTICIPANT, OTHER_PARTICIPANT, PROJECTOR, SHARE_HOLDER),
                          Outcome(False, 401, json={"error": OWNERS_FIRST}))),
    Route("GET", C + "/tables", Q + "tables", owner_route(ok("Import results exports"))),
    Route("POST", C + "/import", Q + "import", owner_route(moved(Q + "tables", writes=True)),
          upload=("files", EXPORT, "north.json")),
    Route("POST", C + "/add", Q + "add", owner_route(moved(Q + "tables", writes=True)),
          form={"workshop_id": "{id}"}),
    Route("POST", C + "/refresh", Q + "refresh", owner_route(moved(Q + "tables", writes=True))),
    Route("POST", C + "/tables", Q + "tables", owner_route(moved(Q + "tables", writes=True)),
          form={"name-{mid}": "North", "date-{mid}": "2024-09-12", "place-{mid}": "Ontario"}),
    Route("POST", C + "/tables/<int:member_id>/remove", Q + "tables/{mid}/remove",
          owner_route(moved(Q + "tables", writes=True))),
    Route("GET", C + "/themes", Q + "themes", owner_route(ok("Propose regional themes"))),
    Route("POST", C + "/themes/propose", Q + "themes/propose", owner_route(moved(Q + "themes/run/*", writes=True))),  # the run, kept for every process
    Route("GET", C + "/themes/run/<run_id>", Q + "themes/run/gone", owner_route(moved(Q + "themes"))),
    Route("POST", C + "/themes/<int:regional_id>", Q + "themes/424242",
          owner_route(moved(Q + "themes#rt-424242")), form={"op": "confirm", "title": "Care"}),
    Route("POST", C + "/themes/group", Q + "themes/group", owner_route(moved(Q + "themes#single")),
          form={"op": "make", "title": "Alone", "theme": "{mid}:1"}),
    Route("GET", C + "/settings", Q + "settings", owner_route(ok("Owners"))),
    Route("POST", C + "/settings", Q + "settings", owner_route(moved(Q + "settings", writes=True)),
          form={"name": "Region, renamed", "earlier": ""}),
    Route("POST", C + "/owners", Q + "owners", owner_route(moved(Q + "settings#owners", writes=True)),
          form={"email": "{stranger_email}"}),
    Route("POST", C + "/owners/<int:facilitator_id>/remove", Q + "owners/{host_id}/remove",
          owner_route(moved(Q + "settings#owners"))),  # the last owner stays
    Route("POST", C + "/delete", Q + "delete", owner_route(moved("/facilitator/collections/", writes=True)),
          form={"sure": "1"}),
    Route("POST", C + "/share", Q + "share", owner_route(moved(Q + "settings#sharing", writes=True)),
          form={"expires_in_days": "30", "label": "Evaluators"}),
    Route("POST", C + "/share/<int:link_id>/revoke", Q + "share/{rlink}/revoke",
          owner_route(moved(Q + "settings#sharing", writes=True))),
    Route("GET", "/shared/rollup/<token>", "/shared/rollup/{rollup_share}",
          holder(SHARE_HOLDER, ok("Read-only regional roll-up"), not_found(BAD_SHARE))),
    *[Route("GET", "/shared/rollup/<token>/download/<fmt>", f"/shared/rollup/{{rollup_share}}/download/{fmt}",
            holder(SHARE_HOLDER, ok(), not_found(BAD_SHARE)), variant=fmt)
      for fmt in ("csv", "xlsx", "json", "pdf")],
    Route("GET", "/api/share/rollup/<token>", "/api/share/rollup/{rollup_share}",
          holder(SHARE_HOLDER, Outcome(True, 200, json={"schema_version": 1}),
                 Outcome(False, 404, json={"error": BAD_SHARE}))),
]  # fmt: skip

HTTP_CASES = [(route, audience) for route in ROUTES for audience in AUDIENCES]


# -- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    with open_room(tmp_path_factory.mktemp("authorization")) as room:
        yield Worlds(room)


@pytest.fixture
def world(worlds):
    return worlds.clean()


@pytest.fixture(autouse=True)
def no_language_model(monkeypatch):
    """Theme suggestions would load two sentence encoders: report them unavailable."""
    from workshop.themes import suggest

    monkeypatch.setattr(suggest, "available", lambda: (False, "switched off in these tests"))


def fields_for(world, audience: str) -> dict[str, Any]:
    return world.fields(audience) | {
        "client_id": uuid.uuid4().hex,
        "host_email": world.host.email,
        "password": "a long enough password",
    }


def send(world, route: Route, audience: str, *, headers=None):
    values = fields_for(world, audience)
    path = route.path.format(**values)
    browser = world.browser(audience)
    if route.method == "GET":
        return path, browser.get(path, headers=headers)
    form = {key.format(**values): value.format(**values) for key, value in route.form.items()}
    if route.upload is True:
        form["file"] = (io.BytesIO(UPLOAD), "mine.toml")
    elif route.upload:
        name, body, filename = route.upload
        form[name] = (io.BytesIO(body), filename)
    return path, browser.post(path, data=form, headers=headers)


def resolve(payload: Any, values: dict[str, Any]) -> Any:
    """A socket payload with each "$name" replaced by the world's value (an id stays an int)."""
    if isinstance(payload, str) and payload.startswith("$"):
        return values[payload[1:]]
    if isinstance(payload, dict):
        return {key: resolve(item, values) for key, item in payload.items()}
    if isinstance(payload, list):
        return [resolve(item, values) for item in payload]
    return payload


def check_outcome(reply, expected: Outcome, path: str, values: dict[str, Any]) -> None:
    body = reply.get_data().decode(errors="replace")  # downloads are binary
    assert reply.status_code == expected.status, body[:500]
    if expected.location is not None:
        wanted = expected.location.format(next=quote(path, safe=""), **values)
        location = reply.headers["Location"]
        if wanted.endswith("*"):
            assert location.startswith(wanted[:-1]), location
        else:
            assert location == wanted
    if expected.shows is not None:
        assert expected.shows.format(**values) in body
    if expected.json is not None:
        assert reply.is_json and expected.json.items() <= reply.get_json().items(), body[:500]


# -- the HTTP matrix -------------------------------------------------------------------------


def test_every_route_is_in_the_matrix(worlds):
    app = worlds.room.app
    registered = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(route.rule, route.method) for route in ROUTES}
    assert registered - covered == set(), "routes missing from ROUTES in test_authorization.py"
    assert covered - registered == set(), "ROUTES lists routes the app no longer has"


def test_every_row_names_every_audience():
    for route in ROUTES:
        assert set(route.expect) == set(AUDIENCES), route.name


@pytest.mark.parametrize(
    ("route", "audience"), HTTP_CASES, ids=[f"{r.name} as {a}" for r, a in HTTP_CASES]
)
def test_route_answers_each_audience_as_documented(world, route, audience):
    expected = route.expect[audience]
    before = world.snapshot()
    values = fields_for(world, audience)
    path, reply = send(world, route, audience)
    check_outcome(reply, expected, path, values)
    changed = changed_tables(before, world.snapshot())
    if expected.writes:
        assert changed, "an allowed request should have stored something"
    else:
        assert changed == [], (
            f"{'allowed' if expected.allowed else 'refused'} but changed {changed}"
        )


def _storing_audience(route: Route) -> str:
    """The audience whose request would change something (else the first one allowed)."""
    allowed = [a for a in AUDIENCES if route.expect[a].allowed]
    return next((a for a in allowed if route.expect[a].writes), allowed[0])


POSTS = [route for route in ROUTES if route.method == "POST"]


@pytest.mark.parametrize("route", POSTS, ids=[route.name for route in POSTS])
def test_a_post_without_its_csrf_token_changes_nothing(world, route, monkeypatch):
    """CSRF is off in the other tests; on, a form without its token is refused (400) before
    anything is stored, by the global check or, on the five participant forms, in the view."""
    monkeypatch.setitem(world.app.config, "WTF_CSRF_ENABLED", True)
    before = world.snapshot()
    _, reply = send(world, route, _storing_audience(route))
    assert reply.status_code == 400
    assert changed_tables(before, world.snapshot()) == []


SIGNED_IN_POSTS = [route for route in POSTS if route.expect[ANONYMOUS] == SIGN_IN]


@pytest.mark.parametrize("route", SIGNED_IN_POSTS, ids=[route.name for route in SIGNED_IN_POSTS])
def test_the_csrf_check_comes_before_the_sign_in_check(world, route, monkeypatch):
    """An anonymous post to a facilitator form without its token: 400, not the sign-in."""
    monkeypatch.setitem(world.app.config, "WTF_CSRF_ENABLED", True)
    before = world.snapshot()
    _, reply = send(world, route, ANONYMOUS)
    assert reply.status_code == 400 and "Form expired" in reply.get_data(as_text=True)
    assert changed_tables(before, world.snapshot()) == []


# Ids of this session used from the other session: its facilitator on their own console,
# its participant on their own page. Refusals keep the documented shape and store nothing.
OTHER = "/facilitator/w/{other_id}"
CROSS_HTTP = [
    (OTHER_PARTICIPANT, "/w/{other_code}/responses/{rid}/edit", {"text": "Mine now"}, 400, "no such answer"),
    (OTHER_PARTICIPANT, "/w/{other_code}/responses/{rid}/delete", {}, 400, "no such answer"),
    (OTHER_PARTICIPANT, "/w/{other_code}/ballot", {"round_id": "{round}", "pick-1": "{cand}", "client_id": "{client_id}"}, 400, "no such vote"),
    (OTHER_PARTICIPANT, "/w/{other_code}/themes/{tid}", None, 404, "No such theme in this session."),
    (OTHER_FACILITATOR, OTHER + "/responses/{rid}/hide", {"hidden": "1"}, 302, "no such answer"),
    (OTHER_FACILITATOR, OTHER + "/board/", {"op": "create", "new_title": "Taken", "response_ids": "{rid}"}, 302, "some of those answers are not in this session"),
    (OTHER_FACILITATOR, OTHER + "/board/", {"op": "update:{tid}", "title-{tid}": "Renamed"}, 302, "no such theme"),
    (OTHER_FACILITATOR, OTHER + "/board/", {"op": "delete:{tid}"}, 302, "no such theme"),
    (OTHER_FACILITATOR, OTHER + "/board/", {"op": "link:{tid}", "strategy-{tid}": "cybersecurity"}, 302, "no such theme"),
    (OTHER_FACILITATOR, OTHER + "/board/", {"op": "unlink:{tid}@cybersecurity"}, 302, "no such theme"),
    (OTHER_FACILITATOR, OTHER + "/board/", {"op": "split:{tid}", "new_title": "Split", "response_ids": "{rid}"}, 302, "no such theme"),
    (OTHER_FACILITATOR, OTHER + "/board/accept", {"accept": "0", "title-0": "Taken", "responses-0": "{rid}"}, 302, "some of those answers are not in this session"),
    (OTHER_FACILITATOR, OTHER + "/vote", {"op": "close", "round_id": "{round}"}, 302, "no such vote"),
    (OTHER_FACILITATOR, OTHER + "/vote", {"op": "hide_tally", "round_id": "{round}", "hidden": "1"}, 302, "no such vote"),
    (OTHER_FACILITATOR, OTHER + "/vote", {"op": "open", "source": "chosen", "theme_ids": "{tid}"}, 302, "some of those themes are not in this session"),
    (OTHER_FACILITATOR, OTHER + "/paper/{pid}/answers", {"prompt_id": RETRO_PROMPT, "text": "x"}, 404, "No such paper participant in this session."),
    (OTHER_FACILITATOR, OTHER + "/paper/{pid}/ballot", {"round_id": "{round}", "pick-1": "{cand}"}, 404, "No such paper participant in this session."),
    (OTHER_FACILITATOR, OTHER + "/results/share/{link}/revoke", {}, 302, "no such share link"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("audience", "path", "form", "status", "message"),
    CROSS_HTTP,
    ids=[f"{path} {form.get('op', '') if form else ''} as {a}" for a, path, form, *_ in CROSS_HTTP],
)
def test_ids_of_this_session_are_refused_from_another_session(
    world, audience, path, form, status, message
):
    values = fields_for(world, audience)
    browser = world.browser(audience)
    before = world.snapshot()
    url = path.format(**values)
    if form is None:
        reply = browser.get(url)
    else:
        data = {k.format(**values): v.format(**values) for k, v in form.items()}
        reply = browser.post(url, data=data)
    assert reply.status_code == status
    shown = browser.page(reply.headers["Location"]) if status == 302 else reply.get_data(True)
    assert message in shown
    assert changed_tables(before, world.snapshot()) == []


# -- the Socket.IO matrix --------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What an audience gets for an event: `refusal` is the connect_error message of a
    connection it may not open; otherwise an ok acknowledgement (`writes`: stores something)."""

    refusal: str | None = None
    writes: bool = False


NOT_JOINED = "join the session first"
NOT_FACILITATOR = "only a facilitator of this session may do that"
NO_SCREEN = "no such screen"


def only(audience: str, refusal: str, writes: bool) -> dict[str, Answer]:
    return dict.fromkeys(AUDIENCES, Answer(refusal)) | {audience: Answer(writes=writes)}


@dataclass(frozen=True)
class Event:
    namespace: str
    name: str
    payload: dict  # "$name" stands for the world's field `name`
    writes: bool = True

    @property
    def expect(self) -> dict[str, Answer]:
        who, refusal = {
            "/participant": (PARTICIPANT, NOT_JOINED),
            "/facilitator": (FACILITATOR, NOT_FACILITATOR),
            "/screen": (PROJECTOR, NO_SCREEN),
        }[self.namespace]
        return only(who, refusal, self.writes)

    @property
    def label(self) -> str:
        return f"{self.namespace} {self.name}"


EVENTS = [
    Event("/participant", "sync", {}, writes=False),
    Event("/participant", "respond", {"prompt_id": RETRO_PROMPT, "text": "Peer networking", "client_id": "$client_id"}),
    Event("/participant", "edit_response", {"id": "$rid", "text": "Edited"}),
    Event("/participant", "delete_response", {"id": "$rid"}),
    Event("/participant", "ballot", {"round_id": "$round", "picks": ["$cand"], "client_id": "$client_id"}),
    Event("/facilitator", "sync", {}, writes=False),
    Event("/facilitator", "control", {"action": "pause"}),
    Event("/facilitator", "hide_response", {"id": "$rid", "hidden": True}),
    Event("/facilitator", "board", {"op": "create", "title": "Transit"}),
    Event("/facilitator", "vote", {"op": "hide_tally", "round_id": "$round", "hidden": True}),
    Event("/facilitator", "accept_suggestions", {"groups": [{"theme_id": "$tid", "response_ids": ["$rid"], "strategy_ids": ["cybersecurity"]}]}),
    Event("/screen", "sync", {}, writes=False),
]  # fmt: skip
SOCKET_CASES = [(event, audience) for event in EVENTS for audience in AUDIENCES]


def test_every_socket_event_is_in_the_matrix(worlds):
    registered = {(ns, name) for ns, names in registered_events().items() for name in names}
    covered = {(event.namespace, event.name) for event in EVENTS}
    assert registered - covered == set(), "events missing from EVENTS in test_authorization.py"
    assert covered - registered == set(), "EVENTS lists events the server no longer handles"


@pytest.mark.parametrize(
    ("event", "audience"), SOCKET_CASES, ids=[f"{e.label} as {a}" for e, a in SOCKET_CASES]
)
def test_socket_event_answers_each_audience_as_documented(world, event, audience):
    expected = event.expect[audience]
    before = world.snapshot()
    socket = world.socket(audience, event.namespace)
    try:
        if expected.refusal is not None:
            assert not socket.connected
            assert socket.refusal == {"message": expected.refusal}
        else:
            assert socket.connected
            ack = socket.emit(event.name, resolve(event.payload, fields_for(world, audience)))
            assert ack["ok"] is True, ack
    finally:
        socket.close()
    changed = changed_tables(before, world.snapshot())
    assert bool(changed) == (expected.writes and expected.refusal is None), changed


CROSS_SOCKET = [
    (OTHER_PARTICIPANT, "edit_response", {"id": "$rid", "text": "Mine now"}),
    (OTHER_PARTICIPANT, "delete_response", {"id": "$rid"}),
    (OTHER_PARTICIPANT, "ballot", {"round_id": "$round", "picks": ["$cand"], "client_id": "$client_id"}),
    (OTHER_FACILITATOR, "hide_response", {"id": "$rid"}),
    (OTHER_FACILITATOR, "board", {"op": "move", "response_ids": ["$rid"], "theme_id": None}),
    (OTHER_FACILITATOR, "board", {"op": "create", "title": "Taken", "response_ids": ["$rid"]}),
    (OTHER_FACILITATOR, "board", {"op": "update", "theme_id": "$tid", "title": "Renamed"}),
    (OTHER_FACILITATOR, "board", {"op": "delete", "theme_id": "$tid"}),
    (OTHER_FACILITATOR, "board", {"op": "merge", "theme_id": "$tid", "source_ids": ["$tid"]}),
    (OTHER_FACILITATOR, "board", {"op": "split", "theme_id": "$tid", "title": "S", "response_ids": ["$rid"]}),
    (OTHER_FACILITATOR, "board", {"op": "link", "theme_id": "$tid", "strategy_id": "cybersecurity"}),
    (OTHER_FACILITATOR, "board", {"op": "unlink", "theme_id": "$tid", "strategy_id": "cybersecurity"}),
    (OTHER_FACILITATOR, "vote", {"op": "close", "round_id": "$round"}),
    (OTHER_FACILITATOR, "vote", {"op": "reopen", "round_id": "$round"}),
    (OTHER_FACILITATOR, "vote", {"op": "hide_tally", "round_id": "$round", "hidden": True}),
    (OTHER_FACILITATOR, "vote", {"op": "open", "theme_ids": ["$tid"]}),
    (OTHER_FACILITATOR, "accept_suggestions", {"groups": [{"title": "Taken", "response_ids": ["$rid"]}]}),
    (OTHER_FACILITATOR, "accept_suggestions", {"groups": [{"theme_id": "$tid", "response_ids": ["$rid"]}]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("audience", "event", "payload"),
    CROSS_SOCKET,
    ids=[f"{e} {p.get('op', '')} {i} as {a}" for i, (a, e, p) in enumerate(CROSS_SOCKET)],
)
def test_socket_ids_of_this_session_are_not_found_from_another_session(
    world, audience, event, payload
):
    namespace = "/participant" if audience == OTHER_PARTICIPANT else "/facilitator"
    socket = world.socket(audience, namespace, own=True)
    before = world.snapshot()
    ack = socket.emit(event, resolve(payload, fields_for(world, audience)))
    socket.close()
    assert ack["ok"] is False and ack["code"] == "not_found", ack
    assert changed_tables(before, world.snapshot()) == []


HOLDERS = {"/participant": PARTICIPANT, "/facilitator": FACILITATOR, "/screen": PROJECTOR}
HANDLED = {ns: {e.name for e in EVENTS if e.namespace == ns} for ns in HOLDERS}  # = the server's
FOREIGN = [
    (namespace, event)
    for namespace in HOLDERS
    for event in EVENTS
    if event.namespace != namespace and event.name not in HANDLED[namespace]
]


@pytest.mark.parametrize(
    ("namespace", "event"), FOREIGN, ids=[f"{e.label} sent on {ns}" for ns, e in FOREIGN]
)
def test_another_namespaces_event_is_unknown_and_changes_nothing(world, namespace, event):
    audience = HOLDERS[namespace]
    socket = world.socket(audience, namespace)
    before = world.snapshot()
    ack = socket.emit(event.name, resolve(event.payload, fields_for(world, audience)))
    socket.close()
    assert ack == {"ok": False, "error": f"unknown event '{event.name}'", "code": "unknown_event"}
    assert changed_tables(before, world.snapshot()) == []


FACILITATOR_WRITES = [
    event for event in EVENTS if event.namespace == "/facilitator" and event.writes
]


@pytest.mark.parametrize("event", FACILITATOR_WRITES, ids=[e.name for e in FACILITATOR_WRITES])
def test_a_removed_co_facilitators_open_socket_is_forbidden(world, event):
    """A facilitator's right is checked again on every event, not only at connect."""
    helper = world.room.co_facilitator(world.session)
    socket = helper.connect("/facilitator", f"workshop={world.session.id}")
    assert socket.connected
    with world.app.app_context():
        row = db.session.get(WorkshopFacilitator, (world.session.id, helper.id))
        db.session.delete(row)
        db.session.commit()
    before = world.snapshot()
    ack = socket.emit(event.name, resolve(event.payload, fields_for(world, FACILITATOR)))
    assert ack == {"ok": False, "error": NOT_FACILITATOR, "code": "forbidden"}
    assert changed_tables(before, world.snapshot()) == []


@pytest.mark.parametrize("event", FACILITATOR_WRITES, ids=[e.name for e in FACILITATOR_WRITES])
def test_a_signed_out_facilitators_open_socket_is_forbidden(world, event):
    """Signing out in any browser ends every sign-in of the account, open sockets included."""
    helper = world.room.co_facilitator(world.session)
    socket = helper.connect("/facilitator", f"workshop={world.session.id}")
    assert socket.connected
    assert helper.post("/auth/logout").status_code == 302
    before = world.snapshot()
    ack = socket.emit(event.name, resolve(event.payload, fields_for(world, FACILITATOR)))
    assert ack == {"ok": False, "error": NOT_FACILITATOR, "code": "forbidden"}
    assert changed_tables(before, world.snapshot()) == []
