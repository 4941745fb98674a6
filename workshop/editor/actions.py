"""Changes the editor's buttons make to its data: add, remove and move list entries, and
add what a pasted outline holds. The data is the nested dict of `editor_data`; every
function returns a changed copy and leaves what was typed elsewhere as it was. What it says
about the change is an English `Message`, shown in the reader's language. No Flask here.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from workshop.agenda.model import Framework
from workshop.agenda.outline import UNTITLED, Reading, read_outline, slug_for
from workshop.editor.data import LISTS, framework_to_form_data
from workshop.messages import N_, Message

ACTION = re.compile(r"^((?:[a-z_]+-\d+-)*[a-z_]+)(?:-(\d+))?:(add|remove|up|down)$")


@dataclass(frozen=True)
class Change:
    data: dict[str, Any]
    focus: str = ""  # the form path to put the keyboard focus on afterwards
    message: str = ""  # a Message, when there is something to say
    preview: Reading | None = None  # a pasted outline read but not added: shown for checking


def _walk(data: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """`segments-2-prompts` → (the third segment's dict, "prompts")."""
    tokens = path.split("-")
    node: Any = data
    for name, index in zip(tokens[:-1:2], tokens[1:-1:2], strict=True):
        node = node[name][int(index)]
    if tokens[-1] not in LISTS:
        raise KeyError(tokens[-1])
    return node, tokens[-1]


def apply_action(data: dict[str, Any], action: str) -> Change:
    """Apply a button's `action` value, such as `segments:add`, `segments-2:up` or
    `frameworks-0-pillars-1-strategies-3:remove`. An unknown action changes nothing."""
    match = ACTION.match(action or "")
    if not match:
        return Change(data)
    path, index, verb = match.groups()
    changed = copy.deepcopy(data)
    try:
        parent, name = _walk(changed, path)
        entries = parent.setdefault(name, [])
        if verb == "add" and index is None:
            entries.append(blank_entry(name, changed, parent))
            return Change(changed, focus=f"{path}-{len(entries) - 1}")
        position = int(index)
        entries[position]  # noqa: B018 - raises IndexError for a stale button
    except (KeyError, IndexError, ValueError, TypeError):
        return Change(data)
    return _reorder(changed, entries, path, position, verb)


def _reorder(data: dict, entries: list, path: str, position: int, verb: str) -> Change:
    if verb == "remove":
        del entries[position]
        return Change(data, focus=path)
    target = position - 1 if verb == "up" else position + 1
    if not 0 <= target < len(entries):
        return Change(data, focus=f"{path}-{position}:{verb}")
    entries[position], entries[target] = entries[target], entries[position]
    return Change(data, focus=f"{path}-{target}:{verb}")


def _ids(entries: list[dict[str, Any]]) -> set[str]:
    return {str(entry.get("id") or "") for entry in entries}


def _all_prompt_ids(data: dict[str, Any]) -> set[str]:
    return {p.get("id") or "" for s in data.get("segments") or [] for p in s.get("prompts") or []}


def _framework_strategy_ids(framework: dict[str, Any]) -> set[str]:
    return {
        s.get("id") or "" for p in framework.get("pillars") or [] for s in p.get("strategies") or []
    }


def blank_entry(name: str, data: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    """A new list entry with a fresh id, so the facilitator only has to type the words."""
    if name == "segments":
        segment_id = slug_for("segment", _ids(data.get("segments") or []), "segment")
        return {"id": segment_id, "kind": "prompts", "title": "", "minutes": "10", "prompts": []}
    if name == "prompts":
        return {"id": slug_for("prompt", _all_prompt_ids(data), "prompt"), "question": ""}
    if name == "join_questions":
        question_id = slug_for("question", _ids(data.get("join_questions") or []), "question")
        return {"id": question_id, "label": "", "kind": "text", "required": False}
    if name == "frameworks":
        framework_id = slug_for("framework", _ids(data.get("frameworks") or []), "framework")
        return {"id": framework_id, "title": "", "pillars": []}
    if name == "pillars":
        return {"title": "", "strategies": []}
    if name == "strategies":
        framework = _framework_holding(data, parent)
        return {"id": slug_for("strategy", _framework_strategy_ids(framework), "strategy")}
    return {"label": "", "text": ""}  # details


def _framework_holding(data: dict[str, Any], pillar: dict[str, Any]) -> dict[str, Any]:
    for framework in data.get("frameworks") or []:
        if any(p is pillar for p in framework.get("pillars") or []):
            return framework
    return {}


def merge_outline(
    data: dict[str, Any],
    outline: str,
    target_id: str,
    *,
    confirmed: bool = False,
    untitled: str = UNTITLED,
) -> Change:
    """Add a pasted outline: into the framework `target_id` (a pillar of the same title gets
    the new strategies; others are added as new pillars), or as a new framework, titled
    `untitled` (in the facilitator's language) when the outline has no heading. When its
    shape left room for doubt, nothing changes until the facilitator has seen what was read
    and `confirmed` it."""
    changed = copy.deepcopy(data)
    frameworks = changed.setdefault("frameworks", [])
    target = next((f for f in frameworks if f.get("id") == target_id), None) if target_id else None
    framework_id = slug_for("plan", _ids(frameworks), "plan")
    reading = read_outline(outline, framework_id=framework_id, untitled=untitled)
    parsed = reading.framework
    if not parsed.pillars:
        message = Message(
            N_("The outline has no bullet points or numbered items to read. Paste a list.")
        )
        return Change(data, focus="outline", message=message)
    if reading.doubts and not confirmed:
        message = Message(
            N_(
                "The outline is read but not added yet: check what was read, below the "
                "outline, then add it or change the outline."
            )
        )
        return Change(data, focus="outline-preview", message=message, preview=reading)
    if target is None:
        frameworks.append(_new_framework(parsed))
        focus = f"frameworks-{len(frameworks) - 1}"
    else:
        first_pillar = _merge_into(target, parsed)
        focus = f"frameworks-{frameworks.index(target)}-pillars-{first_pillar}"
    changed["outline"] = ""
    return Change(changed, focus=focus, message=_summary(parsed))


def _new_framework(parsed: Framework) -> dict[str, Any]:
    framework = framework_to_form_data(parsed)
    for pillar in framework["pillars"]:
        pillar["title"] = pillar["title"] or "Strategies"
    return framework


def _merge_into(target: dict[str, Any], parsed: Framework) -> int:
    """Add the parsed pillars' strategies and examples; return the first pillar changed."""
    pillars = target.setdefault("pillars", [])
    taken = _framework_strategy_ids(target)
    changed = []
    for pillar in framework_to_form_data(parsed)["pillars"]:
        for strategy in pillar["strategies"]:
            strategy["id"] = slug_for(strategy["name"], taken, "strategy")
        same = _matching_pillar(pillars, pillar["title"])
        if same is None:
            pillar["title"] = pillar["title"] or "Strategies"
            pillars.append(pillar)
            changed.append(len(pillars) - 1)
            continue
        same.setdefault("strategies", []).extend(pillar["strategies"])
        examples = [line for line in (same.get("examples") or "", pillar["examples"]) if line]
        same["examples"] = "\n".join(examples)
        changed.append(next(i for i, p in enumerate(pillars) if p is same))
    return min(changed)


def _matching_pillar(pillars: list[dict[str, Any]], title: str) -> dict[str, Any] | None:
    """A pillar with the same title; an untitled outline goes into the last pillar."""
    if not title:
        return pillars[-1] if pillars else None
    wanted = title.casefold().strip()
    return next((p for p in pillars if (p.get("title") or "").casefold().strip() == wanted), None)


def _count(number: int, singular: str, plural: str) -> Message:
    # English and Spanish both use the singular for 1 only.
    return Message(singular if number == 1 else plural, n=number)


def _summary(parsed: Framework) -> Message:
    pillars = parsed.pillars
    strategies = sum(len(p.strategies) for p in pillars)
    examples = sum(len(p.examples) + sum(len(s.examples) for s in p.strategies) for p in pillars)
    return Message(
        N_(
            "Read {pillars}, {strategies} and {examples} from the outline. Check them below, then save."
        ),
        pillars=_count(len(pillars), N_("{n} pillar"), N_("{n} pillars")),
        strategies=_count(strategies, N_("{n} strategy"), N_("{n} strategies")),
        examples=_count(examples, N_("{n} example"), N_("{n} examples")),
    )
