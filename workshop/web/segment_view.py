"""The participant's segment: the live page's main part, as one phone sees it or as every phone
of one language shares it.

A room of a thousand phones moves to a new segment at the facilitator's click. Rendering the
segment once per phone would hold the event loop for seconds (5-8 ms of CPU each under gevent,
`python -m bench paths`), so what every phone sees alike is rendered once per segment, status,
vote round and language (`shared_view`), cached, and sent over the socket (`broadcast`); each
phone fills in its own part, which it already holds (its answers, its ballot, its form
token), and the room's themes. The same templates render the whole page for one phone, with
JavaScript off, on a reload and for the fragment route (`render`).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from workshop import clock, themes, voting
from workshop.extensions import db
from workshop.live import responses, timing, workshops
from workshop.models import Participant, VoteRound, Workshop
from workshop.web import i18n, payloads
from workshop.web.forms import EmptyForm
from workshop.web.payloads import PARTICIPANTS

SEGMENT_TEMPLATE = "participant/_segment.html"
CACHE_SIZE = 512  # (workshop, view, language) entries; a room uses a handful at a time


def view_key(workshop: Workshop, vote_round: VoteRound | None) -> str:
    """Everything the shared view depends on besides the language: the segment on, the
    session's status and the latest round's state (its candidates are fixed when it opens, its
    results once it closes). The agenda is a snapshot taken at the start; themes and each
    phone's own part are filled in by the phone."""
    status = timing.view(workshop, workshops.agenda_of(workshop), clock.now()).status
    return f"{workshop.segment_index}.{status}.{round_key(vote_round)}"


def round_key(vote_round: VoteRound | None) -> str:
    """The state of the latest round as the room sees it: which, open or closed (and when),
    its tally hidden or not."""
    if vote_round is None:
        return "-"
    closed = payloads.epoch_ms(vote_round.closed_at) or 0
    return f"{vote_round.id}.{int(vote_round.is_open)}.{int(vote_round.hide_tally)}.{closed}"


_LATEST = object()


def shared_view(workshop: Workshop, lang: str, vote_round=_LATEST) -> dict[str, Any]:
    """`{"key": ..., "html": ...}`: the segment as every phone reading `lang` sees it, rendered
    once for each key and kept (the key is read from the database each time, so a change made
    by another server process is seen too). `vote_round`: the latest round, if already read."""
    if vote_round is _LATEST:
        vote_round = voting.latest_round(db.session, workshop)
    key = f"{view_key(workshop, vote_round)}.{lang}"
    cache = _cache()
    cache_key = (workshop.id, workshop.code, key)
    with cache.lock:
        html = cache.entries.get(cache_key)
        if html is not None:
            cache.entries.move_to_end(cache_key)
    if html is None:
        html = _render_shared(workshop, vote_round, lang, key)
        with cache.lock:
            cache.entries[cache_key] = html
            while len(cache.entries) > CACHE_SIZE:
                cache.entries.popitem(last=False)
    return {"key": key, "html": html}


class _Cache:
    def __init__(self) -> None:
        self.entries: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()


def _cache() -> _Cache:
    """One per app: a test process builds many apps whose workshops share ids and codes."""
    return current_app.extensions.setdefault("shared_segment_views", _Cache())


def _render_shared(workshop: Workshop, vote_round, lang: str, key: str) -> str:
    """Render in a request of its own in the reader's language, so a render started by a
    facilitator's click, a socket event or a background task is the same. Nothing of one
    person is in it: no answers, no ballot, no form token. The request shares the app context
    of whatever started it, where Flask-Babel keeps the language it chose for that: hence
    `force_locale` as well as `?lang=`."""
    path = f"/w/{workshop.code}/segment"
    with current_app.test_request_context(path, query_string={"lang": lang}), force_locale(lang):
        return render(workshop, None, vote_round=vote_round, view=key)


def render(
    workshop: Workshop,
    participant: Participant | None,
    template: str = SEGMENT_TEMPLATE,
    vote_round: VoteRound | None = None,
    **extra: Any,
) -> str:
    """The live page (or its segment) in the reader's language. Without a participant it is
    the shared view: own answers, ballot and form tokens left for the phone to fill in."""
    lang = i18n.current_language()
    agenda = workshops.agenda_of(workshop, lang)
    segment = timing.current_segment(workshop, agenda)
    vote_round = vote_round or voting.latest_round(db.session, workshop)
    shared = participant is None
    own = [] if shared else responses.own_responses(db.session, participant)
    if shared:
        extra["csrf_token"] = str  # each phone puts in its own token (str() is "")
    return render_template(
        template,
        workshop=workshop,
        agenda=agenda,
        segment=segment,
        themes=[] if shared else themes.summaries(db.session, workshop),
        vote=_vote_context(vote_round, participant, agenda),
        participant=participant,
        own={
            prompt.id: [r for r in own if r.prompt_id == prompt.id]
            for _, prompt in agenda.prompts()
        },
        framework=agenda.framework(segment.framework) if segment and segment.framework else None,
        state=payloads.state_payload(workshop, clock.now()),
        new_client_id="" if shared else uuid.uuid4().hex,
        form=EmptyForm(),
        errors=extra.pop("errors", {}),
        drafts=extra.pop("drafts", {}),
        view=extra.pop("view", None) or _own_view_key(workshop, vote_round, lang),
        shared=shared,
        **extra,
    )


def _own_view_key(workshop: Workshop, vote_round, lang: str) -> str:
    return f"{view_key(workshop, vote_round)}.{lang}"


def _vote_context(vote_round: VoteRound | None, participant, agenda) -> dict | None:
    """The latest vote as this participant sees it: choices, their ballot, results once closed.
    Shared: no ballot."""
    if vote_round is None:
        return None
    ballot = voting.ballot_of(db.session, vote_round, participant) if participant else None
    vote = {"round": payloads.round_payload(vote_round, PARTICIPANTS)}
    payload = payloads.named_for_reader(vote, agenda, i18n.current_language())["round"]
    return {
        **payload,
        "my_picks": voting.ballot_picks(db.session, ballot) if ballot else [],
        "new_client_id": uuid.uuid4().hex if participant else "",
    }
