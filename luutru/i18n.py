"""The messages people read, in their language: Vietnamese where the locale says so (LANGUAGE, LC_ALL, LC_MESSAGES
or LANG, as gettext reads them: `vi_VN.UTF-8`), English otherwise.

The catalogs live in luutru/locale and are made with Babel (`make catalogs`: extract, update, compile). A message
is translated where it is shown, never where it is raised: an error keeps its English text for the log files,
which the people who keep the machine read, and is shown translated (`LuutruError.translated`).
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

LOCALE = Path(__file__).with_name("locale")
DOMAIN = "luutru"


@functools.cache
def _catalog() -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE, fallback=True)


def _(message: str) -> str:
    """The message in the user's language."""
    return _catalog().gettext(message)


@functools.cache
def _vietnamese() -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE, languages=["vi"])


def in_vietnamese(message: str) -> str:
    """The message in Vietnamese whatever the locale: for the counter's page and the package, read by archivists."""
    return _vietnamese().gettext(message)


def ngettext(one: str, many: str, count: int) -> str:
    """The message for `count` things in the user's language (Vietnamese has one form for any count)."""
    return _catalog().ngettext(one, many, count)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is written; `_` translates it where it is shown."""
    return message
