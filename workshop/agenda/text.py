"""Plain agenda text to display blocks: blank lines split paragraphs, `- ` lines are lists.

No markup is interpreted, so text stays escaped wherever it is shown."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    kind: str  # "paragraph" or "list"
    lines: tuple[str, ...]


def text_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        blocks.extend(_split_lists(lines))
    return blocks


def _split_lists(lines: list[str]) -> list[Block]:
    """Consecutive `- ` lines form a list; other lines form a paragraph."""
    blocks: list[Block] = []
    current_kind, current = "", []
    for line in lines:
        kind = "list" if line.startswith(("- ", "* ")) else "paragraph"
        content = line[2:].strip() if kind == "list" else line
        if kind != current_kind and current:
            blocks.append(Block(current_kind, tuple(current)))
            current = []
        current_kind = kind
        current.append(content)
    if current:
        blocks.append(Block(current_kind, tuple(current)))
    return blocks
