"""List the Welsh catalogue's entries that still need a translation (for translators)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[1] / "src/infuse/locale/cy/LC_MESSAGES/django.po"


def main() -> int:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    missing = 0
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing += 1
            print(repr(message.id), message.context or "", message.locations[:1])
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
