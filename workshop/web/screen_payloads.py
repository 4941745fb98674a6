"""What the projector is sent beyond the state, counts, themes and vote: the facilitators'
choices for it (the full join screen, the answers wall) and the words its script says."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from workshop.extensions import db
from workshop.live import screen, timing, workshops
from workshop.messages import N_
from workshop.models import Workshop


def screen_payload(workshop: Workshop) -> dict[str, Any]:
    """`{"join": bool, "wall": {"prompt_ids", "answers", "total"}}`: the wall holds the newest
    visible answers (no names, no numbers) to the chosen prompts of the segment that is on."""
    chosen = screen.choices(db.session, workshop.id)
    segment = timing.current_segment(workshop, workshops.agenda_of(workshop))
    prompt_ids = screen.wall_prompts_now(chosen, segment)
    answers, total = screen.wall_answers(db.session, workshop.id, prompt_ids)
    return {
        "join": chosen.show_join,
        "wall": {
            "prompt_ids": prompt_ids,
            "answers": [
                {"id": answer.id, "prompt_id": answer.prompt_id, "text": answer.text}
                for answer in answers
            ],
            "total": total,
        },
    }


def candidate_names(vote: dict[str, Any]) -> dict[int, str]:
    """{candidate id: title} of the latest round as the projector's reader names them
    (`payloads.named_for_reader`). The live tally is one payload for every screen, in the
    words the round was opened with; the script names its rows by these instead."""
    body = vote.get("round") or {"candidates": []}
    return {candidate["id"]: candidate["title"] for candidate in body["candidates"]}


SCREEN_STRINGS = {
    "points_one": N_("{n} point"),
    "points_other": N_("{n} points"),
    "more_candidates": N_("and {n} more"),
    "tied_full": N_("Tied: same points, first choices and ballots"),
    "tied_dots": N_("Tied: same number of dots"),
    "ahead_firsts": N_("Same points as {other}: ahead on first choices ({mine} to {theirs})"),
    "behind_firsts": N_("Same points as {other}: fewer first choices ({mine} to {theirs})"),
    "ahead_ballots": N_(
        "Same points and first choices as {other}: on more ballots ({mine} to {theirs})"
    ),
    "behind_ballots": N_(
        "Same points and first choices as {other}: on fewer ballots ({mine} to {theirs})"
    ),
    "rank_of": N_("#{rank}"),
    "wall_more_one": N_("and 1 earlier answer"),
    "wall_more_other": N_("and {n} earlier answers"),
    "wall_empty": N_("Answers appear here as they arrive."),
}


def screen_strings() -> dict[str, str]:
    return {key: gettext(text) for key, text in SCREEN_STRINGS.items()}
