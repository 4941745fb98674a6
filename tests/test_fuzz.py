"""Property-based fuzzing of every Socket.IO event and every participant and facilitator form.

Payloads are arbitrary JSON (recursive: null, booleans, integers, floats with nan and inf,
text with control characters and very long text, lists, objects) and "near-valid" ones: a
valid payload for this world with fields dropped, retyped, added, or set to ids of the other
session, negative, zero or huge numbers. The properties:

- every event is answered with `{"ok": true, ...}` and the event's result, or with
  `{"ok": false, "error", "code"}` where the code is one docs/protocol.md lists for that event,
  never `server` (an unexpected exception);
- no form answers 500;
- the server stays up: a `sync` after every event is answered;
- the database holds nothing it should not (`check_database`): no answer longer than its
  question allows or beyond its count, no ballot with a repeated or foreign candidate, nothing
  of the other session touched, ...

The crashes this fuzzing found are fixed and pinned by the tests at the end: ids beyond 64
bits, digits such as "²" that `str.isdigit` accepts and `int` refuses, an `op` that is a list
or an object, a client id with a trailing newline, and the event names the Socket.IO library
reserves. The generated inputs include all of them (engine.io itself refuses numbers of more
than 100 digits).
"""

from __future__ import annotations

import copy
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from room import RETRO_PROMPT, ROLE, VOTE, open_room
from security_support import (
    FACILITATOR,
    PARTICIPANT,
    PROJECTOR,
    AckSocket,
    build_world,
    registered_events,
)
from sqlalchemy import select

from workshop.extensions import db
from workshop.live import workshops
from workshop.live.timing import CONTROL_ACTIONS
from workshop.models import (
    Ballot,
    BallotPick,
    Candidate,
    Participant,
    Response,
    ShareLink,
    Theme,
    ThemeStrategy,
    VoteRound,
    Workshop,
)

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
STRATEGIES = ("cybersecurity", "clean-economy", "advanced-manufacturing", "no-such-strategy")
RESERVED_EVENTS = ("connect", "disconnect", "*")  # answered as unknown, like any other
COMMON = {"rate_limited", "malformed", "too_large"}
CODES = {  # docs/protocol.md §3.5: the error codes each event may answer with
    "sync": COMMON,
    "respond": COMMON | {"not_joined", "client_id", "closed", "empty", "too_long", "strategy", "limit"},
    "edit_response": COMMON | {"not_joined", "not_found", "closed", "empty", "too_long", "strategy"},
    "delete_response": COMMON | {"not_joined", "not_found", "closed"},
    "ballot": COMMON | {"not_joined", "client_id", "not_found", "closed", "empty", "too_many", "repeated"},
    "control": COMMON | {"forbidden", "state", "conflict"},
    "hide_response": COMMON | {"forbidden", "not_found"},
    "board": COMMON | {"forbidden", "not_found", "empty", "too_long", "limit", "invalid", "hidden", "strategy"},
    "vote": COMMON | {"forbidden", "state", "not_found", "invalid", "no_candidates", "limit"},
    "accept_suggestions": COMMON | {"forbidden", "not_found", "empty", "too_long", "limit", "strategy"},
}  # fmt: skip
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fuzz(examples: int):
    return settings(FUZZ, max_examples=examples)


# -- strategies ------------------------------------------------------------------------------


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each drawn in proportion to its weight."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(
        lambda strategy: strategy
    )


utf8 = st.characters(codec="utf-8")
controls = st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Zl", "Zp"))
long_text = st.builds(
    lambda piece, n: piece * n,
    st.sampled_from(["x", "é", "😀", " ", "\u202e", "<b>", "\x00"]),
    st.integers(100, 20_000),
)
texts = st.one_of(st.text(utf8, max_size=30), st.text(controls, max_size=12), long_text)
integers = st.one_of(
    st.integers(-3, 3),
    st.integers(INT64_MIN, INT64_MAX),
    st.sampled_from([INT64_MAX, INT64_MIN, 2**31, 2**53 + 1, 2**64, -(2**64)]),
)
floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(st.none(), st.booleans(), integers, floats, texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(utf8, max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(utf8, max_size=12), json_values, max_size=6)
# Not one object: nothing, a list, a string, a number, or several arguments.
json_args = st.one_of(
    st.tuples(json_objects),
    st.tuples(json_values),
    st.lists(json_values, min_size=2, max_size=3).map(tuple),
    st.just(()),
)


valid_client_ids = st.one_of(
    st.uuids().map(lambda u: u.hex), st.from_regex(CLIENT_ID, fullmatch=True)
)
client_ids = weighted(
    (4, valid_client_ids),
    (1, st.text(utf8, max_size=70)),
    (1, json_values),
)
form_client_ids = client_ids.filter(lambda v: isinstance(v, str))


def near_texts(limit: int) -> st.SearchStrategy[str]:
    """Texts around a length limit, padded with spaces or not."""
    return st.builds(
        lambda n, pad, piece: " " * pad + piece * n + " " * pad,
        st.integers(limit - 2, limit + 2),
        st.integers(0, 3),
        st.sampled_from(["a", "é", "😀"]),
    )


def specials(*ids: int) -> st.SearchStrategy:
    """Values an id field should refuse or accept: the ids given (of this and the other
    session), out-of-range numbers, digit strings and wrong types."""
    numbers = [*ids, -1, 0, INT64_MAX, INT64_MIN, 2**53 + 1]
    return st.one_of(
        st.sampled_from(numbers),
        st.sampled_from(numbers).map(str),
        st.sampled_from(numbers).map(lambda n: [n]),
        st.sampled_from([1.0, 1.5, True, False, None, "", "1e3", [], {}]),
    )


def id_lists(*ids: int) -> st.SearchStrategy[list]:
    pool = [*ids, -1, 0, INT64_MAX]
    return st.one_of(
        st.lists(st.sampled_from(pool), max_size=6),
        st.lists(st.sampled_from(pool), min_size=4, max_size=4).map(lambda v: v[:1] * 4),
        st.integers(0, 6000).map(lambda n: list(range(1, n + 1))),
        st.lists(st.sampled_from([True, "1", 1.0, None, [1]]), min_size=1, max_size=3),
    )


@st.composite
def near_valid(draw, valid: st.SearchStrategy[dict], special: st.SearchStrategy):
    """A valid payload with up to three mutations: a field dropped, retyped, set to a
    special value, or an extra field."""
    payload = copy.deepcopy(draw(valid))
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        action = draw(st.sampled_from(("drop", "retype", "special", "extra")))
        if action == "extra" or not payload:
            payload[draw(st.text(utf8, max_size=10))] = draw(json_values)
            continue
        key = draw(st.sampled_from(sorted(payload)))
        if action == "drop":
            del payload[key]
        elif action == "retype":
            payload[key] = draw(json_values)
        else:
            payload[key] = draw(special)
    return payload


def payloads(valid: st.SearchStrategy[dict], special: st.SearchStrategy) -> st.SearchStrategy:
    """The arguments of one emit: near-valid or arbitrary, as one object or not."""
    return weighted((3, near_valid(valid, special).map(lambda p: (p,))), (1, json_args))


# -- fixtures and checks ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    with open_room(tmp_path_factory.mktemp("fuzz")) as room:
        yield room


@pytest.fixture
def world(room):
    world = build_world(room, foreign=True)
    with room.app.app_context():
        world.foreign_rows = foreign_rows(world)
    yield world
    check_database(world)


class Sockets:
    """One socket per audience of this session, reused by every example of a test."""

    def __init__(self, world):
        self.participant = world.socket(PARTICIPANT, "/participant")
        self.facilitator = world.socket(FACILITATOR, "/facilitator")
        self.screen = world.socket(PROJECTOR, "/screen")
        assert self.participant.connected and self.facilitator.connected and self.screen.connected

    def close(self):
        for socket in (self.participant, self.facilitator, self.screen):
            socket.close()


@pytest.fixture
def sockets(world):
    opened = Sockets(world)
    yield opened
    opened.close()


def check_ack(event: str, ack: object, *, known: bool = True) -> None:
    """The acknowledgement's shape: ok with the event's result, or a documented refusal."""
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if not ack["ok"]:
        assert set(ack) == {"ok", "error", "code"} and isinstance(ack["error"], str), ack
        assert ack["code"] != "server", f"unexpected exception on '{event}': {ack}"
        assert ack["code"] in (CODES[event] if known else {"unknown_event", "rate_limited"}), ack
        return
    assert known, ack
    assert RESULTS[event](ack), ack


def _ints(values: object) -> bool:
    return isinstance(values, list) and all(type(v) is int for v in values)


def _own_response(ack: dict) -> bool:
    response = ack["response"]
    keys = {"id", "client_id", "prompt_id", "text", "strategy_id"}
    return (
        set(response) == keys and type(response["id"]) is int and isinstance(response["text"], str)
    )


RESULTS = {
    "sync": lambda ack: type(ack["server_now"]) is int,
    "respond": lambda ack: _own_response(ack) and type(ack["duplicate"]) is bool,
    "edit_response": _own_response,
    "delete_response": lambda ack: type(ack["id"]) is int,
    "ballot": lambda ack: _ints(ack["ballot"]["picks"]) and type(ack["duplicate"]) is bool,
    "control": lambda ack: ack["state"]["status"] in ("lobby", "running", "paused", "ended"),
    "hide_response": lambda ack: type(ack["id"]) is int and type(ack["hidden"]) is bool,
    "board": lambda ack: set(ack) <= {"ok", "theme_id"},
    "vote": lambda ack: type(ack["round_id"]) is int,
    "accept_suggestions": lambda ack: (
        all(type(t) is int or t is None for t in ack["theme_ids"]) and _ints(ack["skipped"])
    ),
}


def still_up(socket: AckSocket) -> None:
    reply = socket.emit("sync", {})
    assert reply["ok"] is True and type(reply["server_now"]) is int, reply


def emit_and_check(world, socket: AckSocket, event: str, args: tuple) -> dict:
    """One event: a documented answer, the server still up, and, when something was stored,
    nothing stored that the rules forbid."""
    ack = socket.emit(event, *args)
    check_ack(event, ack)
    still_up(socket)
    if ack["ok"] and event != "sync":
        check_database(world)
    return ack


FOREIGN_TABLES = (Participant, Response, Theme, VoteRound, ShareLink)


def foreign_rows(world) -> list:
    """Everything of the other session that the fuzzing of this one must leave alone."""
    rows = []
    for model in FOREIGN_TABLES:
        table = model.__table__
        rows += list(db.session.execute(select(table).where(table.c.workshop_id == world.other.id)))
    themes = select(Theme.id).where(Theme.workshop_id == world.other.id)
    rows += list(
        db.session.execute(
            select(ThemeStrategy.__table__).where(ThemeStrategy.theme_id.in_(themes))
        )
    )
    rounds = select(VoteRound.id).where(VoteRound.workshop_id == world.other.id)
    rows += list(
        db.session.execute(select(Candidate.__table__).where(Candidate.round_id.in_(rounds)))
    )
    ballots = select(Ballot.id).where(Ballot.round_id.in_(rounds))
    rows += list(
        db.session.execute(select(BallotPick.__table__).where(BallotPick.ballot_id.in_(ballots)))
    )
    return rows


def check_database(world) -> None:
    """What the rules allow, whatever was sent, in this world's two sessions."""
    scope = (world.session.id, world.other.id)
    with world.app.app_context():
        session = db.session
        query = select(Workshop).where(Workshop.id.in_(scope))
        agendas = {w.id: workshops.agenda_of(w) for w in session.scalars(query)}
        _check_responses(session, scope, agendas)
        _check_themes(session, scope, agendas)
        _check_votes(session, scope)
        _check_people(session, scope, agendas)
        assert foreign_rows(world) == world.foreign_rows, "the other session was touched"


def _check_responses(session, scope, agendas) -> None:
    live = Counter()
    query = select(Theme.id, Theme.workshop_id).where(Theme.workshop_id.in_(scope))
    themes = dict(session.execute(query).all())
    for row in session.scalars(select(Response).where(Response.workshop_id.in_(scope))):
        prompt = agendas[row.workshop_id].prompt(row.prompt_id)
        assert prompt is not None, row.prompt_id
        assert CLIENT_ID.fullmatch(row.client_id), repr(row.client_id)
        assert row.text == row.text.strip() and 0 < len(row.text) <= prompt.max_length, row.id
        assert row.theme_id is None or themes.get(row.theme_id) == row.workshop_id, row.id
        assert not (row.hidden and row.theme_id is not None), row.id
        if row.deleted_at is None:
            live[row.participant_id, row.prompt_id] += 1
            assert live[row.participant_id, row.prompt_id] <= prompt.max_responses, row.id


def _check_themes(session, scope, agendas) -> None:
    listed = list(session.scalars(select(Theme).where(Theme.workshop_id.in_(scope))))
    for theme in listed:
        assert theme.title == " ".join(theme.title.split()) and 0 < len(theme.title) <= 120
        assert theme.description == theme.description.strip() and len(theme.description) <= 1000
    assert max(Counter(t.workshop_id for t in listed).values(), default=0) <= 200
    owners = {theme.id: theme.workshop_id for theme in listed}
    query = select(ThemeStrategy).where(ThemeStrategy.theme_id.in_(owners))
    for link in session.scalars(query):
        agenda = agendas[owners[link.theme_id]]
        known = {s.id for f in agenda.frameworks for s in f.strategies()}
        assert link.strategy_id in known, link.strategy_id


def _check_votes(session, scope) -> None:
    query = select(VoteRound).where(VoteRound.workshop_id.in_(scope))
    rounds = {r.id: r for r in session.scalars(query)}
    open_rounds = Counter(r.workshop_id for r in rounds.values() if r.is_open)
    assert max(open_rounds.values(), default=0) <= 1
    candidates = Counter()
    round_of = {}
    for candidate in session.scalars(select(Candidate).where(Candidate.round_id.in_(rounds))):
        candidates[candidate.round_id] += 1
        round_of[candidate.id] = candidate.round_id
    assert all(1 <= candidates[r] <= 100 for r in rounds), candidates
    query = select(Participant.id, Participant.workshop_id).where(
        Participant.workshop_id.in_(scope)
    )
    workshop_of = dict(session.execute(query).all())
    ballots = list(session.scalars(select(Ballot).where(Ballot.round_id.in_(rounds))))
    picks: dict[int, list] = {}
    query = select(BallotPick).where(BallotPick.ballot_id.in_([b.id for b in ballots]))
    for pick in session.scalars(query.order_by(BallotPick.rank)):
        picks.setdefault(pick.ballot_id, []).append(pick)
    for ballot in ballots:
        vote_round = rounds[ballot.round_id]
        named = [p.candidate_id for p in picks.get(ballot.id, [])]
        assert CLIENT_ID.fullmatch(ballot.client_id), repr(ballot.client_id)
        assert workshop_of.get(ballot.participant_id) == vote_round.workshop_id
        assert 1 <= len(named) <= vote_round.picks and len(set(named)) == len(named), named
        assert all(round_of.get(c) == ballot.round_id for c in named), named
        assert [p.rank for p in picks[ballot.id]] == list(range(1, len(named) + 1))


def _check_people(session, scope, agendas) -> None:
    for person in session.scalars(select(Participant).where(Participant.workshop_id.in_(scope))):
        choices = [q for q in agendas[person.workshop_id].join_questions if q.kind == "choice"]
        assert person.name is None or 0 < len(person.name) <= 80
        assert person.role is None or person.role in choices[0].choices, person.role
    for link in session.scalars(select(ShareLink).where(ShareLink.workshop_id.in_(scope))):
        assert len(link.label) <= 120 and link.label == " ".join(link.label.split())


# -- socket events ---------------------------------------------------------------------------


def test_every_socket_event_is_fuzzed(room):
    fuzzed = {("/participant", e) for e in PARTICIPANT_EVENTS} | {
        ("/facilitator", e) for e in FACILITATOR_EVENTS
    }
    fuzzed |= {("/participant", "sync"), ("/facilitator", "sync"), ("/screen", "sync")}
    registered = {(ns, name) for ns, names in registered_events().items() for name in names}
    assert registered <= fuzzed


def respond_payloads(world) -> st.SearchStrategy:
    valid = st.fixed_dictionaries(
        {
            "prompt_id": st.sampled_from([RETRO_PROMPT, "do_differently", "success_looks_like"]),
            "text": weighted((3, st.text(utf8, min_size=1, max_size=40)), (1, near_texts(280))),
            "client_id": client_ids,
            "strategy_id": st.sampled_from([None, "", "cybersecurity"]),
        }
    )
    return payloads(valid, st.one_of(client_ids, texts, near_texts(280)))


def own_answers(world) -> list[int]:
    """The phone's answer and nine more (five per question at most)."""
    more = [world.phone.answer(f"Answer {n}") for n in range(4)]
    more += [world.phone.answer(f"Change {n}", prompt_id="do_differently") for n in range(5)]
    return [world.response_id, *more]


def edit_payloads(world) -> st.SearchStrategy:
    own, foreign = own_answers(world), world.foreign["rid"]
    valid = st.fixed_dictionaries(
        {
            "id": answer_ids(own, foreign),
            "text": weighted((3, st.text(utf8, min_size=1, max_size=20)), (1, near_texts(280))),
            "strategy_id": st.sampled_from([None, "", "cybersecurity"]),
        }
    )
    return payloads(valid, specials(*own, foreign))


def delete_payloads(world) -> st.SearchStrategy:
    own, foreign = own_answers(world), world.foreign["rid"]
    valid = st.fixed_dictionaries({"id": answer_ids(own, foreign)})
    return payloads(valid, specials(*own, foreign))


def answer_ids(own: list[int], foreign: int) -> st.SearchStrategy:
    mine = st.sampled_from(own)
    return weighted((4, mine), (1, mine.map(str)), (1, st.just(foreign)))


def ballot_payloads(world) -> st.SearchStrategy:
    cand, round_id = world.candidate_id, world.round_id
    foreign_cand, foreign_round = world.foreign["cand"], world.foreign["round"]
    valid = st.fixed_dictionaries(
        {
            "round_id": st.sampled_from([round_id, foreign_round]),
            "picks": weighted((3, st.just([cand])), (1, id_lists(cand, foreign_cand))),
            "client_id": client_ids,
        }
    )
    return payloads(valid, st.one_of(specials(round_id, foreign_round), id_lists(cand)))


PARTICIPANT_EVENTS = {
    "respond": respond_payloads,
    "edit_response": edit_payloads,
    "delete_response": delete_payloads,
    "ballot": ballot_payloads,
}


@pytest.mark.parametrize("event", sorted(PARTICIPANT_EVENTS))
def test_participant_events_answer_every_payload(world, sockets, event):
    @fuzz(200)
    @given(args=PARTICIPANT_EVENTS[event](world))
    def run(args):
        emit_and_check(world, sockets.participant, event, args)

    run()


@pytest.mark.parametrize("namespace", ["/participant", "/facilitator", "/screen"])
def test_sync_answers_every_payload(world, sockets, namespace):
    socket = {s.namespace: s for s in (sockets.participant, sockets.facilitator, sockets.screen)}
    socket = socket[namespace]

    @fuzz(100)
    @given(args=json_args)
    def run(args):
        emit_and_check(world, socket, "sync", args)

    run()


def unknown_names(handled: set[str]) -> st.SearchStrategy:
    names = st.one_of(st.text(utf8, max_size=60), st.sampled_from(sorted(handled_anywhere())))
    return names.filter(lambda n: n not in handled)


def handled_anywhere() -> set[str]:
    return {name for names in registered_events().values() for name in names}


@pytest.mark.parametrize("namespace", ["/participant", "/facilitator", "/screen"])
def test_unknown_events_are_answered_as_unknown(world, sockets, namespace):
    socket = {s.namespace: s for s in (sockets.participant, sockets.facilitator, sockets.screen)}
    socket = socket[namespace]
    handled = registered_events()[namespace]

    @fuzz(100)
    @given(name=unknown_names(handled), args=json_args)
    def run(name, args):
        ack = socket.emit(name, *args)
        check_ack(name, ack, known=False)
        assert ack["error"] == f"unknown event '{name[:40]}'"
        still_up(socket)

    run()


def control_payloads(world) -> st.SearchStrategy:
    valid = st.fixed_dictionaries(
        {
            "action": st.sampled_from([*CONTROL_ACTIONS[:-1] * 8, "end"]),  # rarely ended
            "seconds": st.one_of(st.integers(-5, 4000), floats, st.just(10**99)),
        }
    )
    return payloads(valid, st.one_of(floats, integers, texts, st.just(10**99)))


def hide_payloads(world) -> st.SearchStrategy:
    own, foreign = world.response_id, world.foreign["rid"]
    valid = st.fixed_dictionaries(
        {"id": st.sampled_from([own, foreign]), "hidden": st.sampled_from([True, False])}
    )
    return payloads(valid, specials(own, foreign))


def board_payloads(world) -> st.SearchStrategy:
    rid, tid = world.response_id, world.theme_id
    foreign_rid, foreign_tid = world.foreign["rid"], world.foreign["tid"]
    themes = st.sampled_from([tid, tid + 1, tid + 2, foreign_tid])
    answers = weighted((3, st.just([rid])), (1, id_lists(rid, foreign_rid)))
    titles = weighted(
        (3, st.text(utf8, min_size=1, max_size=20)),
        (1, near_texts(120)),
        (1, st.sampled_from(["  Two   spaces ", "", " "])),
    )
    descriptions = weighted((1, st.none()), (2, st.text(utf8, max_size=20)), (1, near_texts(1000)))
    ops = {
        "create": {"title": titles, "description": descriptions, "response_ids": answers},
        "update": {"theme_id": themes, "title": titles, "description": descriptions},
        "delete": {"theme_id": themes},
        "merge": {"theme_id": themes, "source_ids": st.lists(themes, max_size=3)},
        "split": {"theme_id": themes, "response_ids": answers, "title": titles},
        "move": {"response_ids": answers, "theme_id": st.one_of(st.none(), themes)},
        "link": {"theme_id": themes, "strategy_id": st.sampled_from(STRATEGIES)},
        "unlink": {"theme_id": themes, "strategy_id": st.sampled_from(STRATEGIES)},
        "other": {},
    }
    valid = st.one_of(
        *[st.fixed_dictionaries({"op": st.just(op), **fields}) for op, fields in ops.items()]
    )
    special = st.one_of(specials(rid, tid, foreign_rid, foreign_tid), id_lists(rid, foreign_rid))
    return payloads(valid, special)


def vote_payloads(world) -> st.SearchStrategy:
    round_id, tid = world.round_id, world.theme_id
    foreign_round, foreign_tid = world.foreign["round"], world.foreign["tid"]
    rounds = st.sampled_from([round_id, round_id + 1, round_id + 2, foreign_round])
    ops = {
        "open": {
            "source": st.sampled_from(["themes", "strategies", "fixed", "chosen", "x"]),
            "theme_ids": st.one_of(st.none(), st.lists(st.sampled_from([tid, foreign_tid]))),
        },
        "runoff": {"top": st.one_of(st.integers(-1, 5), st.just(10**99), floats)},
        "close": {"round_id": rounds},
        "reopen": {"round_id": rounds},
        "hide_tally": {"round_id": rounds, "hidden": st.sampled_from([True, False, 1, None])},
    }
    valid = st.one_of(
        *[st.fixed_dictionaries({"op": st.just(op), **fields}) for op, fields in ops.items()]
    )
    special = st.one_of(specials(round_id, foreign_round, tid), id_lists(tid, foreign_tid))
    return payloads(valid, special)


def accept_payloads(world) -> st.SearchStrategy:
    rid, tid = world.response_id, world.theme_id
    foreign_rid, foreign_tid = world.foreign["rid"], world.foreign["tid"]
    group = st.fixed_dictionaries(
        {
            "title": weighted((3, st.text(utf8, min_size=1, max_size=20)), (1, near_texts(120))),
            "theme_id": st.sampled_from([None, None, tid, foreign_tid]),
            "response_ids": weighted((3, st.just([rid])), (1, id_lists(rid, foreign_rid))),
            "strategy_ids": weighted(
                (3, st.lists(st.sampled_from(STRATEGIES[:3]), max_size=2)),
                (1, st.lists(st.sampled_from(STRATEGIES), max_size=3)),
                (1, json_values),
            ),
        }
    )
    groups = weighted(
        (4, st.lists(group, min_size=1, max_size=3)),
        (2, st.lists(near_valid(group, specials(rid, tid, foreign_tid)), max_size=3)),
        (1, st.just([{}] * 201)),
    )
    valid = st.fixed_dictionaries({"groups": groups})
    return payloads(valid, st.one_of(json_values, st.just([]), st.just({})))


FACILITATOR_EVENTS = {
    "control": control_payloads,
    "hide_response": hide_payloads,
    "board": board_payloads,
    "vote": vote_payloads,
    "accept_suggestions": accept_payloads,
}
EXAMPLES = {
    "control": 150,
    "hide_response": 150,
    "board": 300,
    "vote": 250,
    "accept_suggestions": 200,
}


@pytest.mark.parametrize("event", sorted(FACILITATOR_EVENTS))
def test_facilitator_events_answer_every_payload(world, sockets, event):
    if event == "vote":  # votes open only on the vote segment
        for _ in range(VOTE - world.room.segment_index(world.session)):
            assert world.host.control(world.session, "next").status_code == 302

    @fuzz(EXAMPLES[event])
    @given(args=FACILITATOR_EVENTS[event](world))
    def run(args):
        emit_and_check(world, sockets.facilitator, event, args)

    run()


# -- forms -----------------------------------------------------------------------------------


form_long_text = st.builds(
    lambda piece, n: piece * n, st.sampled_from(["x", "é", " ", "<b>"]), st.integers(100, 3000)
)
form_texts = st.one_of(st.text(utf8, max_size=30), st.text(controls, max_size=8), form_long_text)

numbers_as_text = st.one_of(
    st.integers(-5, 10**6).map(str),
    st.sampled_from(["", " 1", "1.0", "0x1", "١٢", str(INT64_MAX), "-1", "1e3"]),
    st.text(utf8, max_size=6),
)


def form_numbers(*ids: int) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from([str(i) for i in ids]), numbers_as_text)


def form_lists(*ids: int) -> st.SearchStrategy[list[str]]:
    return st.lists(form_numbers(*ids), max_size=5)


@st.composite
def forms(draw, fields: dict) -> dict:
    """A form with some of its fields (each maybe replaced by any text) and maybe extra ones."""
    form = {}
    for name, values in fields.items():
        if draw(st.integers(0, 5)):
            form[name] = draw(weighted((3, values), (1, form_texts)))
    if not draw(st.integers(0, 4)):
        form[draw(st.text(utf8, min_size=1, max_size=10))] = draw(form_texts)
    return form


def check_reply(reply, allowed: set[int]) -> None:
    assert reply.status_code != 500, reply.get_data(as_text=True)[:300]
    assert reply.status_code in allowed, reply.status_code


def post_forms(world, browsers, path: str, fields: dict, allowed: set[int], examples: int = 150):
    """Post generated forms from one of the browsers (each with its own cookies). What the
    database holds is checked once the forms are done (the `world` fixture), not after each
    one: a form post costs less than that check."""
    browsers = browsers if isinstance(browsers, list) else [browsers]

    @fuzz(examples)
    @given(form=forms(fields), as_json=st.booleans(), browser=st.sampled_from(browsers))
    def run(form, as_json, browser):
        headers = {"Accept": "application/json"} if as_json else {}
        check_reply(browser.post(path, data=form, headers=headers), allowed)

    run()


def test_the_join_form_takes_any_answers(world):
    roles = st.sampled_from([ROLE, "Other", "SRT chair", " Other ", "x"])

    @fuzz(120)
    @given(form=forms({"name": form_texts, "role": roles}))
    def run(form):
        browser = world.room.anonymous()  # a new phone each time
        check_reply(browser.post(f"/w/{world.session.code}/join", data=form), {302, 400})

    run()


def test_the_answer_form_takes_any_answer(world):
    fields = {
        "prompt_id": st.sampled_from([RETRO_PROMPT, "do_differently", "nope"]),
        "text": st.one_of(form_texts, near_texts(280)),
        "client_id": form_client_ids,
        "strategy_id": st.sampled_from(["", "cybersecurity", "x"]),
    }
    phones = [world.phone, *(world.room.phone(world.session) for _ in range(3))]
    post_forms(world, phones, f"/w/{world.session.code}/responses", fields, {302, 400}, 120)


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_the_edit_and_delete_forms_take_any_id(world, action):
    own, foreign = own_answers(world), world.foreign["rid"]
    fields = {
        "text": weighted(
            (3, st.text(utf8, min_size=1, max_size=30)), (1, form_texts), (1, near_texts(280))
        ),
        "strategy_id": st.sampled_from(["", "", "x"]),
    }
    targets = weighted((3, st.sampled_from(own)), (1, st.sampled_from([foreign, 0])))

    @fuzz(60)
    @given(target=weighted((4, targets), (1, st.integers(0, INT64_MAX))), form=forms(fields))
    def run(target, form):
        path = f"/w/{world.session.code}/responses/{target}/{action}"
        check_reply(world.phone.post(path, data=form), {302, 400})

    run()


def test_the_ballot_form_takes_any_picks(world):
    cand, foreign = world.candidate_id, world.foreign["cand"]
    fields = {
        "round_id": form_numbers(world.round_id, world.foreign["round"]),
        "client_id": form_client_ids,
        "pick": form_lists(cand, foreign),
        **{f"pick-{n}": form_numbers(cand, foreign) for n in (1, 2, 3, 4, 11)},
    }
    post_forms(world, world.phone, f"/w/{world.session.code}/ballot", fields, {302, 400}, 100)


def board_form_fields(world) -> dict:
    tid, rid = world.theme_id, world.response_id
    targets = [tid, tid + 1, world.foreign["tid"], ""]
    ops = st.one_of(
        st.sampled_from(["create", "move", "merge", "split", "x", ""]),
        st.builds(
            "{}:{}".format,
            st.sampled_from(["update", "delete", "link", "split", "unlink"]),
            st.one_of(st.sampled_from(targets), numbers_as_text),
        ),
        st.builds("unlink:{}@{}".format, st.sampled_from(targets), st.sampled_from(STRATEGIES)),
    )
    return {
        "op": ops,
        "response_ids": form_lists(rid, world.foreign["rid"]),
        "move_to": form_numbers(tid, world.foreign["tid"]),
        "new_title": st.one_of(form_texts, near_texts(120)),
        f"title-{tid}": st.one_of(form_texts, near_texts(120)),
        f"description-{tid}": st.one_of(form_texts, near_texts(1000)),
        f"strategy-{tid}": st.sampled_from(STRATEGIES),
        "merge_into": form_numbers(tid, world.foreign["tid"]),
        "theme_ids": form_lists(tid, tid + 1, world.foreign["tid"]),
    }


def test_the_board_form_takes_any_operation(world):
    path = f"/facilitator/w/{world.session.id}/board/?q=x"
    post_forms(world, world.host, path, board_form_fields(world), {200, 302, 400}, 150)


def test_the_accept_suggestions_form_takes_anything(world):
    fields = {
        "accept": st.lists(st.sampled_from(["0", "1", "x", "99"]), max_size=3),
        "title-0": st.one_of(form_texts, near_texts(120)),
        "theme-0": form_numbers(world.theme_id, world.foreign["tid"]),
        "responses-0": st.lists(form_numbers(world.response_id, world.foreign["rid"])).map(
            ",".join
        ),
        "strategies-0": st.lists(st.sampled_from(STRATEGIES), max_size=3),
        "title-1": form_texts,
    }
    post_forms(
        world, world.host, f"/facilitator/w/{world.session.id}/board/accept", fields, {302}, 100
    )


def test_the_vote_form_takes_anything(world):
    for _ in range(VOTE - world.room.segment_index(world.session)):
        world.host.control(world.session, "next")
    fields = {
        "op": st.sampled_from(["open", "runoff", "close", "reopen", "hide_tally", "x"]),
        "source": st.sampled_from(["themes", "chosen", "strategies", "fixed", "x"]),
        "theme_ids": form_lists(world.theme_id, world.foreign["tid"]),
        "round_id": form_numbers(world.round_id, world.round_id + 1, world.foreign["round"]),
        "hidden": st.sampled_from(["1", "0", "x"]),
        "top": numbers_as_text,
    }
    path = f"/facilitator/w/{world.session.id}/vote"
    post_forms(world, world.host, path, fields, {200, 302, 400}, 120)


def test_the_paper_forms_take_anything(world):
    base = f"/facilitator/w/{world.session.id}/paper/"
    post_forms(world, world.host, base, {"role": st.sampled_from([ROLE, "", "x"])}, {302}, 50)
    answer = {
        "prompt_id": st.sampled_from([RETRO_PROMPT, "srt_next_two_years", "x"]),
        "text": st.one_of(form_texts, near_texts(280)),
        "client_id": form_client_ids,
        "strategy_id": st.sampled_from(["", "cybersecurity", "x"]),
    }
    post_forms(world, world.host, f"{base}{world.paper_id}/answers", answer, {302}, 80)
    ballot = {
        "round_id": form_numbers(world.round_id, world.foreign["round"]),
        "pick-1": form_numbers(world.candidate_id, world.foreign["cand"]),
        "pick-2": form_numbers(world.candidate_id),
        "pick": form_lists(world.candidate_id, world.foreign["cand"]),
    }
    post_forms(world, world.host, f"{base}{world.paper_id}/ballot", ballot, {302}, 80)


def test_the_share_link_form_takes_anything(world):
    fields = {
        "expires_in_days": st.one_of(
            st.sampled_from(["0", "7", "30", "90", "365"]), numbers_as_text
        ),
        "label": st.one_of(form_texts, near_texts(120)),
    }
    path = f"/facilitator/w/{world.session.id}/results/share"
    post_forms(world, world.host, path, fields, {302}, 80)


# -- crashes this fuzzing found, now fixed -------------------------------------------------------


@pytest.fixture(scope="module")
def crash_world(room):
    """One world for the crash demonstrations below: they store nothing (the client id ones
    store an answer or a ballot, which is their point)."""
    return build_world(room, foreign=True)


HUGE = 2**64  # one past what a 64-bit database integer holds; engine.io allows 100 digits
SOCKET_HUGE_IDS = [
    ("/facilitator", "hide_response", {"id": HUGE}),
    ("/facilitator", "board", {"op": "delete", "theme_id": HUGE}),
    ("/facilitator", "board", {"op": "move", "response_ids": [HUGE], "theme_id": None}),
    ("/facilitator", "board", {"op": "merge", "theme_id": "TID", "source_ids": [HUGE]}),
    ("/facilitator", "vote", {"op": "close", "round_id": HUGE}),
    ("/facilitator", "accept_suggestions", {"groups": [{"theme_id": HUGE, "response_ids": [1]}]}),
    ("/participant", "edit_response", {"id": HUGE, "text": "x"}),
    ("/participant", "delete_response", {"id": str(HUGE)}),
    ("/participant", "ballot", {"round_id": HUGE, "picks": [1], "client_id": "abcdefgh"}),
]


def _socket(world, namespace: str) -> AckSocket:
    audience = PARTICIPANT if namespace == "/participant" else FACILITATOR
    return world.socket(audience, namespace)


@pytest.mark.parametrize(
    ("namespace", "event", "payload"),
    SOCKET_HUGE_IDS,
    ids=[f"{e} {p}" for _, e, p in SOCKET_HUGE_IDS],
)
def test_an_id_beyond_64_bits_is_refused_not_a_server_error(crash_world, namespace, event, payload):
    if payload.get("theme_id") == "TID":
        payload = payload | {"theme_id": crash_world.theme_id}
    ack = _socket(crash_world, namespace).emit(event, payload)
    assert ack["ok"] is False and ack["code"] == "not_found", ack


HUGE_REQUESTS = [
    ("host", "/facilitator/w/{huge}", None),
    ("host", "/facilitator/w/{id}/responses/{huge}/hide", {}),
    ("host", "/facilitator/w/{id}/paper/{huge}/answers", {"text": "x"}),
    ("host", "/facilitator/w/{id}/results/share/{huge}/revoke", {}),
    ("host", "/facilitator/w/{id}/board/", {"op": "move", "move_to": "{huge}", "response_ids": "{rid}"}),
    ("host", "/facilitator/w/{id}/vote", {"op": "close", "round_id": "{huge}"}),
    ("phone", "/w/{code}/themes/{huge}", None),
    ("phone", "/w/{code}/responses/{huge}/edit", {"text": "x"}),
    ("phone", "/w/{code}/ballot", {"round_id": "{huge}", "pick-1": "1", "client_id": "abcdefgh"}),
]  # fmt: skip


def request_ids(requests: list) -> list[str]:
    return [
        f"{'GET' if form is None else 'POST'} {path} {form or ''}" for _, path, form in requests
    ]


@pytest.mark.parametrize(("who", "path", "form"), HUGE_REQUESTS, ids=request_ids(HUGE_REQUESTS))
def test_an_id_beyond_64_bits_in_a_request_is_not_a_server_error(crash_world, who, path, form):
    values = {"huge": HUGE, "id": crash_world.session.id, "code": crash_world.session.code}
    values["rid"] = crash_world.response_id
    browser = crash_world.host if who == "host" else crash_world.phone
    url = path.format(**values)
    if form is None:
        reply = browser.get(url)
    else:
        reply = browser.post(url, data={k: v.format(**values) for k, v in form.items()})
    assert reply.status_code in (302, 400, 404)


DIGIT_REQUESTS = [
    ("host", "/facilitator/w/{id}/board/", {"op": "update:²"}),
    ("host", "/facilitator/w/{id}/board/", {"op": "move", "move_to": "²", "response_ids": "{rid}"}),
    ("host", "/facilitator/w/{id}/board/", {"op": "create", "new_title": "T", "response_ids": "²"}),
    ("host", "/facilitator/w/{id}/board/accept", {"accept": "0", "title-0": "T", "theme-0": "²"}),
    ("host", "/facilitator/w/{id}/board/suggest", {"themes": "²"}),
    ("host", "/facilitator/w/{id}/vote", {"op": "close", "round_id": "²"}),
    ("host", "/facilitator/w/{id}/vote", {"op": "runoff", "top": "²"}),
    ("host", "/facilitator/w/{id}/vote", {"op": "open", "source": "chosen", "theme_ids": "²"}),
    ("host", "/facilitator/w/{id}/results/share", {"expires_in_days": "²"}),
    ("host", "/facilitator/w/{id}/paper/{pid}/ballot", {"round_id": "{round}", "pick-1": "²"}),
    ("phone", "/w/{code}/ballot", {"round_id": "²", "client_id": "abcdefgh"}),
    ("phone", "/w/{code}/ballot", {"round_id": "{round}", "pick-1": "²", "client_id": "abcdefgh"}),
]  # fmt: skip


@pytest.mark.parametrize(("who", "path", "form"), DIGIT_REQUESTS, ids=request_ids(DIGIT_REQUESTS))
def test_a_superscript_digit_in_a_number_field_is_not_a_server_error(crash_world, who, path, form):
    values = {
        "id": crash_world.session.id,
        "code": crash_world.session.code,
        "rid": crash_world.response_id,
    }
    values |= {"pid": crash_world.paper_id, "round": crash_world.round_id}
    browser = crash_world.host if who == "host" else crash_world.phone
    data = {k: v.format(**values) for k, v in form.items()}
    assert browser.post(path.format(**values), data=data).status_code in (200, 302, 400)


@pytest.mark.parametrize("event", ["edit_response", "delete_response"])
def test_a_superscript_digit_id_is_refused_not_a_server_error(crash_world, event):
    ack = _socket(crash_world, "/participant").emit(event, {"id": "²", "text": "x"})
    assert ack == {"ok": False, "error": "no such answer", "code": "not_found"}


@pytest.mark.parametrize("workshop", ["²", str(HUGE)])
def test_a_malformed_workshop_in_the_handshake_is_refused_as_documented(crash_world, workshop):
    socket = AckSocket(
        crash_world.app, "/facilitator", f"workshop={workshop}", crash_world.host.http
    )
    assert not socket.connected
    assert socket.refusal == {"message": "only a facilitator of this session may do that"}


@pytest.mark.parametrize(
    ("event", "op"), [("board", []), ("board", {}), ("vote", ["open"]), ("vote", {"a": 1})]
)
def test_an_op_that_is_not_text_is_malformed(crash_world, event, op):
    ack = _socket(crash_world, "/facilitator").emit(event, {"op": op})
    assert ack["ok"] is False and ack["code"] == "malformed", ack


@pytest.mark.parametrize(
    "client_id", ["abcdefgh\n", "a" * 64 + "\n"], ids=["short id + newline", "64 chars + newline"]
)
@pytest.mark.parametrize("event", ["respond", "ballot"])
def test_a_client_id_with_a_trailing_newline_is_refused(crash_world, event, client_id):
    payload = {"prompt_id": RETRO_PROMPT, "text": "x", "client_id": client_id}
    payload |= {"round_id": crash_world.round_id, "picks": [crash_world.candidate_id]}
    ack = _socket(crash_world, "/participant").emit(event, payload)
    assert ack["ok"] is False and ack["code"] == "client_id", ack


@pytest.mark.parametrize("name", RESERVED_EVENTS)
@pytest.mark.parametrize("namespace", ["/participant", "/facilitator"])
def test_a_reserved_event_name_is_answered_as_unknown(crash_world, namespace, name):
    ack = _socket(crash_world, namespace).emit(name, {})
    assert ack == {"ok": False, "error": f"unknown event '{name}'", "code": "unknown_event"}
