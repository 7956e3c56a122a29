"""Just enough of a PDF text extractor to read back what WeasyPrint wrote (tests only).

WeasyPrint (through pydyf) writes text as two-byte glyph ids in ``TJ`` arrays, one font per
``Tf``, and each font's ``ToUnicode`` CMap maps glyph ids back to characters; the page
resources and font dictionaries sit in compressed object streams. This reads those and
returns the text, one line per text-positioning (``Tm``) run. It is not a general PDF reader.
"""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*stream\r?\n", re.S)
_HEX = re.compile(rb"<([0-9a-fA-F]+)>")


def _objects(pdf: bytes) -> tuple[dict[int, bytes], dict[int, bytes]]:
    """Every object's dictionary text and every stream's decompressed data, by number."""
    dicts: dict[int, bytes] = {}
    streams: dict[int, bytes] = {}
    for m in _STREAM.finditer(pdf):
        number, head = int(m.group(1)), m.group(2)
        length = re.search(rb"/Length (\d+)", head)
        assert length is not None
        data = pdf[m.end() : m.end() + int(length.group(1))]
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
        dicts[number], streams[number] = head, data
        if b"/Type /ObjStm" in head:
            first = int(re.search(rb"/First (\d+)", head).group(1))  # type: ignore[union-attr]
            pairs = [int(x) for x in data[:first].split()]
            offsets = list(zip(pairs[::2], pairs[1::2], strict=True))
            for i, (inner, offset) in enumerate(offsets):
                end = offsets[i + 1][1] if i + 1 < len(offsets) else len(data) - first
                dicts[inner] = data[first + offset : first + end]
    for m in re.finditer(rb"(\d+) 0 obj\s*(<<.*?>>)\s*endobj", pdf, re.S):
        dicts.setdefault(int(m.group(1)), m.group(2))
    return dicts, streams


def _cmap(data: bytes) -> dict[int, str]:
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(int(dst, 16) + offset)
    return table


def pdf_text(pdf: bytes) -> str:
    dicts, streams = _objects(pdf)
    fonts: dict[bytes, dict[int, str]] = {}
    for head in dicts.values():
        for name, number in re.findall(rb"/([A-Za-z0-9_.+-]+) (\d+) 0 R", head):
            font = dicts.get(int(number), b"")
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if b"/Font" in font and to_unicode and int(to_unicode.group(1)) in streams:
                fonts[name] = _cmap(streams[int(to_unicode.group(1))])
    lines: list[str] = []
    for data in streams.values():
        if b" Tf" not in data or b"TJ" not in data:
            continue
        table: dict[int, str] = {}
        line = ""
        for token in re.finditer(rb"/(\S+) [\d.]+ Tf|\[(.*?)\] TJ|Tm\n", data, re.S):
            if token.group(1):
                table = fonts.get(token.group(1), {})
            elif token.group(2) is not None:
                for hex_run in _HEX.findall(token.group(2)):
                    raw = bytes.fromhex(hex_run.decode())
                    for i in range(0, len(raw), 2):
                        line += table.get(int.from_bytes(raw[i : i + 2], "big"), "")
            elif line:
                lines.append(line)
                line = ""
        if line:
            lines.append(line)
    return "\n".join(lines)
