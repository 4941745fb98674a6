"""What a phone receives when it connects or reconnects: the `/participant` snapshot.

A server that fell behind for a few seconds may see a whole room reconnect at once, and every
reconnect asks for a snapshot: built afresh it read the room's themes, the vote and its tally
again for each phone (about fifteen queries). The parts every phone shares are kept instead:
the segment view per key (`segment_view`), the vote as phones see it per state of the latest
round (its tally as it stood then, as in the `vote` event, since the page shows no running
tally), the themes for at most the coalescing interval (a change made meanwhile reaches the
phone in the coalesced `themes` that follows, as it joins the room before this is read). Only
the phone's own answers and ballot are read for it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from flask import current_app

from workshop import clock, voting
from workshop.extensions import db
from workshop.live import responses
from workshop.models import Participant, VoteRound, Workshop
from workshop.web import payloads, segment_view
from workshop.web.payloads import PARTICIPANTS

KEPT_VOTES = 256


def snapshot(workshop: Workshop, participant: Participant, lang: str) -> dict[str, Any]:
    vote_round = voting.latest_round(db.session, workshop)
    own = responses.own_responses(db.session, participant)
    return {
        "state": payloads.state_payload(workshop, clock.now()),
        "segment": segment_view.shared_view(workshop, lang, vote_round),
        "responses": [payloads.own_response_payload(r) for r in own],
        "themes": room_themes(workshop),
        "vote": room_vote(workshop, vote_round),
        "ballot": own_ballot(vote_round, participant),
    }


class _Kept:
    def __init__(self) -> None:
        self.themes: dict[tuple[int, str], tuple[float, list]] = {}
        self.votes: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self.lock = threading.Lock()


def _kept() -> _Kept:
    return current_app.extensions.setdefault("phone_snapshots", _Kept())


def room_themes(workshop: Workshop) -> list[dict[str, Any]]:
    """The room's themes, read at most once per coalescing interval."""
    interval = current_app.config.get("BROADCAST_INTERVAL", 0.25)
    if interval <= 0:
        return payloads.themes_payload(workshop.id)["themes"]
    kept, key, now = _kept(), (workshop.id, workshop.code), time.monotonic()
    with kept.lock:
        found = kept.themes.get(key)
    if found is not None and found[0] > now:
        return found[1]
    themes = payloads.themes_payload(workshop.id)["themes"]
    with kept.lock:
        if len(kept.themes) > 1000:
            kept.themes.clear()
        kept.themes[key] = (now + interval, themes)
    return themes


def room_vote(workshop: Workshop, vote_round: VoteRound | None) -> dict[str, Any]:
    """The vote as phones see it, read once per state of the latest round."""
    if vote_round is None:
        return {"round": None}
    kept = _kept()
    key = (workshop.id, workshop.code, segment_view.round_key(vote_round))
    with kept.lock:
        found = kept.votes.get(key)
    if found is None:
        found = payloads.vote_payload(workshop, PARTICIPANTS)
        with kept.lock:
            kept.votes[key] = found
            while len(kept.votes) > KEPT_VOTES:
                kept.votes.popitem(last=False)
    return found


def own_ballot(vote_round: VoteRound | None, participant: Participant) -> dict[str, Any] | None:
    """This participant's ballot in the latest round, or None."""
    ballot = voting.ballot_of(db.session, vote_round, participant) if vote_round else None
    if ballot is None:
        return None
    return {
        "round_id": vote_round.id,
        "picks": voting.ballot_picks(db.session, ballot),
        "client_id": ballot.client_id,
    }
