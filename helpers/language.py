"""The language of the course's messages: English (the default) or Simplified Chinese (``zh_CN``).

One setting chooses it: the environment variable ``COURSE_LANGUAGE``. The notebooks of the Chinese
edition (``notebooks/zh_CN/``) set it in their setup cell with one line, ``%env COURSE_LANGUAGE=zh_CN``,
and the command-line tools read it from the shell::

    COURSE_LANGUAGE=zh_CN python -m helpers.train flowers/

The messages a learner meets (the profile banner, exercise feedback, hints, the errors of a download
or a messy folder) go through :func:`_`, the gettext function, which looks each English message up in
the translation catalogues, standard gettext ``.po`` files in ``helpers/locale/<language>/`` (one per
notebook, ``course.po`` for the rest), read with Babel. A message without a finished translation (missing
or marked fuzzy) stays in English. Keras's and TensorFlow's own logs stay as they are.

Text fixed at import time (an exercise's hint) is marked with :func:`N_` and translated where it is shown.
Write a message as ``_("{count:,} images in {folder}").format(count=count, folder=folder)``: the
placeholders are named, so a translation may put them in another order; an f-string inside ``_()``
would be filled in before the lookup and never found.

Introduced in ``00_setup.ipynb``; used by every module that prints for the learner.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

#: The environment variable that chooses the language.
LANGUAGE_ENV = "COURSE_LANGUAGE"
#: The languages the course speaks, by code, with their names.
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
#: Other spellings people use for them.
_ALIASES = {"english": "en", "en_us": "en", "en_gb": "en", "zh": "zh_CN", "zh_cn": "zh_CN", "zh_hans": "zh_CN",
            "zh_hans_cn": "zh_CN", "chinese": "zh_CN", "cn": "zh_CN"}
#: Where the catalogues live: ``<language>/*.po``.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def normalise_language(value: str) -> str | None:
    """The course's code for ``value`` (``"zh-CN"``, ``"zh"`` and ``"zh_Hans"`` all give ``"zh_CN"``), or ``None``."""
    key = value.strip().replace("-", "_")
    if key in LANGUAGES:
        return key
    return _ALIASES.get(key.lower(), "en" if key.lower() == "en" else None)


def current_language() -> str:
    """The language in force: ``COURSE_LANGUAGE`` when set (any spelling :func:`normalise_language` knows), else English.

    Raises:
        SettingError: if ``COURSE_LANGUAGE`` names a language the course does not speak.
    """
    value = os.environ.get(LANGUAGE_ENV, "").strip()
    if not value:
        return "en"
    code = normalise_language(value)
    if code is None:
        from helpers.errors import SettingError

        known = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
        raise SettingError(f"{LANGUAGE_ENV} is set to {value!r}, but the course speaks {known}; set it to one of "
                           f"those or unset it for English. / {LANGUAGE_ENV} 只能是 en 或 zh_CN。")
    return code


def use_language(language: str) -> str:
    """Switch this process (and the programs it starts) to ``language``; return its code.

    Equivalent to ``%env COURSE_LANGUAGE=...`` in a notebook.
    """
    code = normalise_language(language)
    if code is None:
        os.environ[LANGUAGE_ENV] = language
        current_language()  # raises the one-sentence SettingError
    os.environ[LANGUAGE_ENV] = code
    return code


def catalogue_paths(language: str) -> list[Path]:
    """The ``.po`` files of ``language``, in name order."""
    return sorted((LOCALE_DIR / language).glob("*.po"))


@functools.cache
def translations(language: str) -> dict[str, str]:
    """Every finished translation of ``language``: English message -> translation (fuzzy and empty entries left out)."""
    if language == "en":
        return {}
    from babel.messages.pofile import read_po

    table: dict[str, str] = {}
    for path in catalogue_paths(language):
        with open(path, "rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
                table[message.id] = message.string
    return table


def gettext(message: str) -> str:
    """``message`` in the language in force (itself in English, or while it has no finished translation)."""
    language = current_language()
    if language == "en":
        return message
    return translations(language).get(message, message)


#: The usual gettext name, so that ``pybabel extract`` and translators' tools find the messages.
_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (gettext's ``gettext_noop``).

    For text fixed when a module is imported (an exercise's hint, a table of reasons), possibly before a
    notebook chooses its language: the code that shows it later calls ``_(message)``.
    """
    return message
