"""Fill Welsh translations from a JSON file: {"msgid": "msgstr", ...}.

A plural entry is keyed by its singular msgid and given a list of six forms. An entry with a
context is keyed "context|msgid". Entries filled here lose any fuzzy mark.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parents[1] / "src/infuse/locale/cy/LC_MESSAGES/django.po"


def main(source: str) -> int:
    translations = json.loads(Path(source).read_text(encoding="utf-8"))
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        singular = message.id[0] if isinstance(message.id, tuple) else message.id
        key = f"{message.context}|{singular}" if message.context else singular
        if key not in translations:
            continue
        value = translations[key]
        message.string = tuple(value) if isinstance(message.id, tuple) else value
        message.flags.discard("fuzzy")
        message.previous_id = []
        filled += 1
    with CATALOGUE.open("wb") as handle:
        write_po(handle, catalogue, width=100)
    print(f"filled {filled} of {len(translations)}")
    return 0 if filled == len(translations) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
