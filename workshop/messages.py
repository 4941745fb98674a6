"""Messages the domain gives people, kept free of Flask.

Domain modules raise `ActionError` with an English template marked with `N_` (a no-op that
pybabel extracts) plus its parameters; the edges translate it into the reader's language
(`web.i18n.error_text`).
"""

from __future__ import annotations


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
