"""Text for HTML messages (the bot sends every message with parse_mode HTML).

Anything not written by us — a worker's name or note, an official's reason or note, an admin's file name, a
Telegram first name, a value read from an uploaded file — goes through `escape` before it enters a message, so
that `Umur < 18` is shown as typed (not a 400 "can't parse entities") and `<a href="…">kantor desa</a>`
arrives as text, never as a live link. Our own templates (translations) may hold tags; the values put into them
may not: `html_format(template, **values)` escapes every value.
"""

from __future__ import annotations

import html


def escape(value: object) -> str:
    """The value as HTML text: `&`, `<`, `>` and quotes become entities (None → "")."""
    return "" if value is None else html.escape(str(value), quote=True)


def html_format(template: str, /, **values: object) -> str:
    """`template.format(**values)` with every value escaped (the template itself is trusted HTML)."""
    return template.format(**{key: escape(value) for key, value in values.items()})
