"""The Welsh catalogue is complete: every interface string has a checked Welsh translation.

Two kinds of check:

* The committed ``src/infuse/locale/cy/LC_MESSAGES/django.po`` itself: no entry is empty or
  fuzzy, every plural entry has the six Welsh forms, and every placeholder survives.
* The source: ``makemessages`` is run over a copy of the package and every string it finds must
  be in the committed catalogue and translated. A developer who marks a new string for
  translation without translating it gets a failure naming the string. This part needs GNU
  gettext (``xgettext``) and is skipped without it.

To fix a failure: ``make messages`` (or ``cd src/infuse && infuse manage makemessages -l cy
--no-obsolete --add-location file``), translate the new entries, then ``make setup`` to compile.
"""

from __future__ import annotations

import gettext
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "infuse"
PO_PATH = PACKAGE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.po"

# Welsh has six plural categories (CLDR): zero, one, two, few (3), many (6) and other.
WELSH_PLURAL_COUNT = 6
WELSH_PLURAL_INDEX = {0: 0, 1: 1, 2: 2, 3: 3, 4: 5, 5: 5, 6: 4, 7: 5, 8: 5, 10: 5, 11: 5, 100: 5}

# A printf-style conversion: ``%%``, ``%(name)s``, ``%s`` or ``%d`` (with optional flags).
PLACEHOLDER = re.compile(r"%(?:%|(?:\((?P<name>[^)]*)\))?[#0\-+]*\d*(?:\.\d+)?[sdifr])")
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge")


def _key(message: Message) -> tuple[str, str | None]:
    singular = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return singular, message.context


def _label(message: Message) -> str:
    singular, context = _key(message)
    return f"{singular!r}" + (f" (context {context!r})" if context else "")


def _placeholders(text: str) -> list[str]:
    """Named and positional conversions in ``text``, ``%%`` left out, sorted."""
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def _messages(catalog: Catalog) -> Iterator[Message]:
    for message in catalog:
        if message.id:  # the header has an empty id
            yield message


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with PO_PATH.open("rb") as handle:
        return read_po(handle, domain="django")


def test_catalogue_header_declares_welsh_and_six_plural_forms(catalog: Catalog) -> None:
    assert str(catalog.locale) == "cy"
    assert catalog.num_plurals == WELSH_PLURAL_COUNT
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy: it will not be compiled"
    plural = gettext.c2py(catalog.plural_expr)
    got = {n: plural(n) for n in WELSH_PLURAL_INDEX}
    assert got == WELSH_PLURAL_INDEX, f"Plural-Forms expression gives {got}"


def test_every_entry_is_translated_and_not_fuzzy(catalog: Catalog) -> None:
    problems = []
    for message in _messages(catalog):
        if message.fuzzy:
            problems.append(f"fuzzy: {_label(message)}")
        if message.pluralizable:
            forms = message.string if isinstance(message.string, (list, tuple)) else ()
            if len(forms) != WELSH_PLURAL_COUNT:
                problems.append(
                    f"{len(forms)} plural forms instead of {WELSH_PLURAL_COUNT}: {_label(message)}"
                )
            empty = [i for i, form in enumerate(forms) if not form.strip()]
            if empty:
                problems.append(f"empty msgstr{empty}: {_label(message)}")
        elif not isinstance(message.string, str) or not message.string.strip():
            problems.append(f"untranslated: {_label(message)}")
    assert not problems, "Welsh catalogue problems:\n" + "\n".join(problems)


def test_every_translation_keeps_the_placeholders(catalog: Catalog) -> None:
    problems = []
    for message in _messages(catalog):
        ids = list(message.id) if message.pluralizable else [message.id]
        strings = list(message.string) if message.pluralizable else [message.string]
        expected = sorted(set().union(*(_placeholders(i) for i in ids)))
        python_format = message.python_format or "python-format" in message.flags
        for index, string in enumerate(strings):
            where = f"msgstr[{index}]" if message.pluralizable else "msgstr"
            if sorted(set(_placeholders(string))) != expected:
                problems.append(
                    f"{where} of {_label(message)} has {_placeholders(string)}, expected {expected}"
                )
            if python_format:
                # Formatting must work exactly as Django will do it (a stray % breaks it).
                found = list(PLACEHOLDER.finditer(string))
                names = {m.group("name") for m in found if m["name"]}
                positional = tuple(1 for m in found if not m["name"] and m.group(0) != "%%")
                try:
                    string % (dict.fromkeys(names, 1) if names else positional)
                except (TypeError, ValueError, KeyError) as error:
                    problems.append(f"{where} of {_label(message)} does not format: {error}")
    assert not problems, "Placeholders lost or changed:\n" + "\n".join(problems)


def test_compiled_catalogue_picks_the_welsh_plural_form(catalog: Catalog) -> None:
    """Compile in memory (as ``pybabel compile`` does) and look the plural entries up."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = gettext.GNUTranslations(buffer)
    plurals = [m for m in _messages(catalog) if m.pluralizable]
    assert plurals, "expected at least one plural entry to check"
    for message in plurals:
        singular, plural = message.id[0], message.id[1]
        for n, index in WELSH_PLURAL_INDEX.items():
            got = translations.ngettext(singular, plural, n)
            assert got == message.string[index], (
                f"ngettext({singular!r}, n={n}) gave {got!r}, not msgstr[{index}]"
            )


# --- the source against the catalogue -------------------------------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """Every string ``makemessages`` finds in a copy of the package, as a fresh catalogue."""
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"GNU gettext is not installed (no {', '.join(missing)} on PATH)")

    from django.core.management import call_command
    from django.test import override_settings

    copy = tmp_path_factory.mktemp("extract") / "infuse"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.po", "*.pot"),
    )
    locale_dir = copy / "locale"
    locale_dir.mkdir(exist_ok=True)
    committed = PO_PATH.read_bytes()
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[locale_dir]):
        patch.chdir(copy)
        call_command("makemessages", locale=["cy"], add_location="file", verbosity=0)
    # makemessages writes into LOCALE_PATHS; make sure it never touched the real catalogue.
    assert PO_PATH.read_bytes() == committed
    with (locale_dir / "cy" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale="cy", domain="django")


def test_every_string_in_the_source_is_translated(extracted: Catalog, catalog: Catalog) -> None:
    found = list(_messages(extracted))
    assert len(found) > 100, "makemessages found suspiciously few strings"
    committed = {_key(m): m for m in _messages(catalog)}
    problems = []
    for message in found:
        location = ", ".join(sorted({path for path, _line in message.locations}))
        entry = committed.get(_key(message))
        if entry is None:
            problems.append(f"missing from django.po: {_label(message)} ({location})")
        elif entry.id != message.id:
            problems.append(f"plural text changed: {_label(message)} ({location})")
        elif entry.fuzzy or not all(
            s.strip() for s in (entry.string if entry.pluralizable else [entry.string])
        ):
            problems.append(f"not translated: {_label(message)} ({location})")
    assert not problems, (
        "Strings marked for translation without a Welsh translation. Run `make messages`, "
        "translate them in src/infuse/locale/cy/LC_MESSAGES/django.po, then `make setup`:\n"
        + "\n".join(problems)
    )


def test_catalogue_has_no_stale_entries(extracted: Catalog, catalog: Catalog) -> None:
    in_source = {_key(m) for m in _messages(extracted)}
    stale = [_label(m) for m in _messages(catalog) if _key(m) not in in_source]
    assert not stale, (
        "django.po holds strings the source no longer uses; run `make messages` to drop them:\n"
        + "\n".join(stale)
    )
