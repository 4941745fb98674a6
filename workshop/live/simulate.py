"""Simulated phones: a room of participant pages (`phone_page.SimulatedPhone`, which does on
the network what the shipped page does) that join a live session, answer its questions and
vote, the way people in the room do.

`workshop rehearse` uses them so a facilitator can rehearse with a full room before the real
day; the load benchmark (`bench/load_bench.py`) uses the same phones to measure a room of
thousands.
"""

from __future__ import annotations

import asyncio
import random
import tomllib
from importlib import resources
from typing import Any

from workshop.live.phone_page import SimulatedPhone, Timings

__all__ = ["SimulatedPhone", "Timings", "rehearse", "sample_answers"]


def sample_answers() -> dict[str, Any]:
    """Realistic answers for the bundled agendas' questions, shipped with the package."""
    text = (
        resources.files("workshop").joinpath("data/sample_answers.toml").read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


async def rehearse(
    base_url: str, code: str, participants: int, seed: int = 0, log=print, pace: float = 1.0
) -> Timings:
    """Fill a live session with simulated phones that answer each open question and vote
    when voting opens, until the session ends. `pace` scales how long each one reads and
    types (1: like people; 0.1: ten times faster)."""
    rng = random.Random(seed)
    answers = sample_answers()
    timings = Timings()
    phones = [
        SimulatedPhone(base_url, code, random.Random(rng.random()), timings)
        for _ in range(participants)
    ]
    for start in range(0, participants, 20):
        await asyncio.gather(*(phone.join() for phone in phones[start : start + 20]))
    log(f"{participants} simulated participants joined session {code}")
    try:
        await asyncio.gather(*(_follow(phone, answers, pace) for phone in phones))
    finally:
        await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)
    return timings


async def _follow(phone: SimulatedPhone, answers: dict[str, Any], pace: float) -> None:
    """React to the session like a person: answer a new question set, vote in a new round."""
    answered: set[str] = set()
    voted: set[int] = set()
    while phone.state is None or phone.state.get("status") != "ended":
        await phone.changed.wait()
        phone.changed.clear()
        await asyncio.sleep(pace * phone.rng.uniform(1, 8))  # people read before they type
        segment = (phone.state or {}).get("segment") or {}
        if segment.get("kind") == "prompts" and segment.get("id") not in answered:
            answered.add(segment["id"])
            for prompt_id in segment.get("prompt_ids", []):
                for text in phone.rng.sample(
                    _answers_for(answers, prompt_id), k=phone.rng.randint(1, 3)
                ):
                    await phone.respond(prompt_id, text)
                    await asyncio.sleep(pace * phone.rng.uniform(2, 10))
        picks = phone.random_picks()
        if picks and picks[0] not in voted:
            voted.add(picks[0])
            await phone.cast_ballot(*picks)


def _answers_for(answers: dict[str, Any], prompt_id: str) -> list[str]:
    return answers.get("prompts", {}).get(prompt_id) or answers["generic"]["answers"]
