"""The pages in English and Russian: each user's chosen language, else the one picked on a signed-out page
(``?lang=ru``, kept in the session), else the browser's, else English.

Each feature package keeps its own catalog (`<package>/translations/ru/LC_MESSAGES/messages.po`), next to the
pages and views it translates; Flask-Babel reads them all as one. The .mo files are built from the .po files
(`make install`, or `compile_catalogs()` below); `scripts/update-translations` extracts and updates the catalogs.
"""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel, get_locale, refresh
from flask_login import current_user

LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"
# How each language names itself, for the language choices.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
WEBAPP = Path(__file__).resolve().parent.parent

babel = Babel()


def translation_directories() -> list[Path]:
    """Every feature package's catalog folder (the core's included)."""
    return sorted(path for path in WEBAPP.glob("*/translations") if path.is_dir())


def compile_catalogs(only_missing: bool = True) -> list[Path]:
    """Build every package's .mo from its .po, as `make install` does with `pybabel compile` (fuzzy entries left
    out, as there): for a checkout's first test run. Returns the .mo files written."""
    written = []
    for po_path in sorted(path for directory in translation_directories()
                          for path in directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if only_missing and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


def page_language() -> str:
    """The language of the page being made: "en" or "ru" (English outside a request)."""
    locale = get_locale()
    language = locale.language if locale is not None else DEFAULT_LANGUAGE
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def user_language() -> str:
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    if session.get("language") in LANGUAGES:
        return session["language"]
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def start_request_language() -> None:
    """Each request picks its language afresh. Flask-Babel keeps the choice in `g`, which lives as long as the
    application context: one per request when serving, but a test's or a script's context spans many requests.
    Then ``?lang=ru`` (the switch on signed-out pages) is kept for the rest of the visit."""
    refresh()
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["language"] = chosen
    elif chosen == "browser":
        session.pop("language", None)


def install(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(path) for path in translation_directories())
    # WTForms' own messages ("This field is required.") in the page's language, from WTForms' catalogs.
    app.config.setdefault("WTF_I18N_ENABLED", True)
    babel.init_app(app, locale_selector=user_language)
    # A {% trans %} block's text is one line in the catalog, however the page's HTML wraps it.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # First of all the request hooks: CSRF protection, the access rules and the views all speak the request's language.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request_language)
