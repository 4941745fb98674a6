"""Messages the domain gives people, kept free of Flask.

Domain modules raise `ActionError` with an English template marked with `N_` (a no-op that
pybabel extracts) plus its parameters; the edges translate it into the reader's language
(`web.i18n.error_text`). Problems they return instead of raising are `Message`s, English
strings that carry their template and parameters the same way (`web.i18n.message_text`).
Code that writes a whole document in one language (the PDF reports) is handed a `Language`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def N_(message: str) -> str:  # noqa: N802 - the name pybabel looks for
    """Mark an English message for extraction; it is translated where it is shown."""
    return message


class ActionError(ValueError):
    """A request the rules refuse; the message is shown to the person who asked.

    `message` is an English template marked with `N_`, with `{placeholders}` filled from
    `params`: str(error) is the English text, and the edges show it in the reader's language
    (`i18n.error_text`)."""

    def __init__(self, message: str, code: str = "invalid", **params: object):
        super().__init__(message.format(**params) if params else message)
        self.template = message
        self.params = params
        self.code = code


class Message(str):
    """An English message that keeps its `N_` template and parameters, for problems and notes
    the domain hands back rather than raises (an agenda file's mistakes, what a pasted outline
    was read as). As a str it is the English text, so the command line, logs and comparisons
    read it unchanged; the edges show it in the reader's language (`i18n.message_text`).
    A parameter may itself be a Message: it is translated too."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Message:
        text = super().__new__(cls, template.format(**params) if params else template)
        text.template, text.params = template, params
        return text


def _untranslated(template: str) -> str:
    return template


@dataclass(frozen=True)
class Language:
    """The language a document is written in, for domain code that writes one whole (the PDF
    reports): its code, for texts a results file carries in several languages, and a function
    translating the document's `N_` templates into it. The edge that knows the reader makes
    it (`web.i18n.language`)."""

    code: str = "en"
    translate: Callable[[str], str] = _untranslated

    def say(self, template: str, **params: object) -> str:
        """An `N_` template in this language, filled in."""
        text = self.translate(template)
        return text.format(**params) if params else text


ENGLISH = Language()
