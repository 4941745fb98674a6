"""How the Socket.IO server reads what clients send: JSON nested at most `MAX_DEPTH` deep,
events that are a list (a name, then arguments), and no binary packets (the app neither sends
nor expects bytes).

`extensions` hands these to python-socketio as its `serializer` and `json` (the library's own
hooks; `json` also reads Engine.IO packets). A packet that breaks a rule fails to decode with a
ValueError, as one that is not JSON at all does; `web.packet_guard` answers such failures.
Without the depth bound, 1,000 nested brackets (2 kB) made the decoder raise RecursionError,
and a decoded structure that deep would break whatever walked it next.
"""

from __future__ import annotations

import json
import re
from typing import Any

from socketio import packet

MAX_DEPTH = 32
_BRACKETS_AND_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nesting_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON `text` opens more than `limit` arrays or objects inside one another.
    Cheap for everyday payloads: only text with more brackets than the limit is scanned."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _BRACKETS_AND_STRINGS.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > limit:
                return True
        elif token == "]" or token == "}":
            depth -= 1
    return False


class BoundedJSON:
    """The JSON module the Socket.IO and Engine.IO packets are read and written with."""

    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(text: str | bytes, **options: Any) -> Any:
        # Integers need no guard of ours (python-engineio's JSON module adds one): Python
        # refuses to parse one of more than 4,300 digits, and json.loads without options
        # reuses one decoder, where passing `parse_int` built a new one per packet.
        if isinstance(text, bytes | bytearray):
            text = text.decode("utf-8")
        if nesting_exceeds(text):
            raise ValueError(f"JSON nested more than {MAX_DEPTH} deep")
        return json.loads(text, **options)


class WorkshopPacket(packet.Packet):
    """A Socket.IO packet that refuses, while decoding, what no client of ours sends."""

    json = BoundedJSON

    def __init__(self, *args: Any, encoded_packet: Any = None, **kwargs: Any) -> None:
        if encoded_packet is not None and not encoded_packet:  # python-socketio skips decoding
            raise ValueError("an empty packet")
        super().__init__(*args, encoded_packet=encoded_packet, **kwargs)

    def decode(self, encoded_packet: Any) -> int:
        if not isinstance(encoded_packet, str):
            raise ValueError("binary packets are not used")
        attachments = super().decode(encoded_packet)
        if self.packet_type in (packet.BINARY_EVENT, packet.BINARY_ACK):
            raise ValueError("binary packets are not used")
        if self.packet_type == packet.EVENT and not (isinstance(self.data, list) and self.data):
            raise ValueError("an event is a list: its name, then its arguments")
        return attachments
