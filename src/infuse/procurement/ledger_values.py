"""Vectorised readers for the values in spend ledgers: amounts, dates, names, codes.

Every function here takes Polars expressions or Series of text (as read from the file) and
returns typed columns, computed by Polars over whole columns: no Python loop over rows. They are
used by :mod:`infuse.procurement.importing` and are pure (no Django, no database).

Amounts
    Pounds sterling, in any of the forms found in published ledgers: ``1234.5``, ``£1,234.50``,
    ``GBP 1234.50``, ``1 234.50``, negatives as ``-123.45``, ``(123.45)``, ``123.45-`` or
    ``123.45 CR`` (``DR`` is a positive debit). Read exactly as decimals, then rounded to the
    penny (half to even, as Python's :mod:`decimal` does by default) into ``Decimal(18, 2)``.
Dates
    UK day-first forms ``31/03/2025``, ``31-03-2025``, ``31.03.25``; ``28-May-2013``,
    ``28 May 2013``; ISO ``2025-03-31``, optionally with a time (``2025-03-31 00:00:00``,
    ``31/03/2025 00:00``); a month only, ``202205``, ``2022-05`` or ``May 2022`` (read as the
    first day of that month, flagged ``period_only``); a spreadsheet serial day number when the
    caller allows it; and a time of day only (``00:00:00``, as Oxford's 2014 ledger has in
    every row): a known export fault, read as an unknown date, not as an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import polars as pl

AMOUNT_DTYPE = pl.Decimal(18, 2)
"""Money: exact to the penny, up to ±£9,999,999,999,999,999.99 (Arrow ``decimal128(18, 2)``)."""

FIRST_PLAUSIBLE_YEAR = 1970
LAST_PLAUSIBLE_YEAR = 2100
EXCEL_EPOCH = (1899, 12, 30)  # day 0 of the 1900 date system, after Excel's 1900 leap-year bug

# --- text -----------------------------------------------------------------------------------


def _cp1252_repairs() -> dict[str, str]:
    """Text fixes for two common encoding accidents, longest pattern first.

    * C1 control characters (U+0080–U+009F): Windows-1252 bytes read as Latin-1, e.g. ``\\x92``
      for ``’`` (Gateshead's ``KELLY\\x92S HEROES``, Newcastle's ``Don\\x92t Redact``).
    * Mojibake: UTF-8 read as Windows-1252 and saved again, e.g. ``Â£`` for ``£``.
    """
    repairs: dict[str, str] = {}
    for character in "£€’‘“”–—…•é蕇ôâêîûäëïöüñáíóúàòùÁÉÍÓÚ°½¼¾´":
        garbled = character.encode("utf-8").decode("cp1252", errors="replace")
        if "\ufffd" not in garbled:
            repairs[garbled] = character
    repairs["Â\u00a0"] = " "
    for code_point in range(0x80, 0xA0):
        try:
            repairs[chr(code_point)] = bytes([code_point]).decode("cp1252")
        except UnicodeDecodeError:
            repairs[chr(code_point)] = ""
    return dict(sorted(repairs.items(), key=lambda pair: -len(pair[0])))


TEXT_REPAIRS = _cp1252_repairs()


_NULL_WORDS = ("#N/A", "N/A", "NA", "NULL", "NONE", "NIL", "#VALUE!", "#REF!", "#NAME?", "#DIV/0!")
NULL_MARKERS = tuple(
    sorted(
        {variant for word in _NULL_WORDS for variant in (word, word.lower(), word.title())}
        | {"", "-", "–", "—", ".", "?"}
    )
)
"""Cell values that publishers use for "nothing here"; read as empty in text columns."""


def clean_text(text: pl.Expr) -> pl.Expr:
    """Text with encoding accidents repaired, whitespace (incl. no-break spaces) collapsed and
    trimmed; empty cells and "nothing" markers (``#N/A``, ``N/A``, ``-`` …) become null.

    One chain of string kernels, each run once per value (no branch re-evaluates the chain).
    """
    return (
        text.str.replace_many(TEXT_REPAIRS)
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .replace(NULL_MARKERS, None)
    )


def mostly_distinct(values: pl.Series) -> bool:
    """Whether a column's first 10,000 values are mostly different (transaction numbers)
    rather than repeated (suppliers, service areas): a hint for :func:`clean_texts` and
    :func:`once_per_distinct`."""
    head = values.head(10_000)
    return head.n_unique() * 2 > len(head)


def once_per_distinct(
    values: pl.Series, compute: Callable[[pl.Series], pl.DataFrame]
) -> pl.DataFrame:
    """``compute(values)`` (one row per value, in order), computed once per distinct value
    and looked up when values repeat (a few thousand suppliers or a few hundred dates over
    a million lines); straight over the column when they are mostly different."""
    if mostly_distinct(values):
        return compute(values)
    distinct = values.unique()
    key = "__value"
    return (
        values.rename(key)
        .to_frame()
        .join(
            compute(distinct).with_columns(distinct.rename(key)),
            on=key,
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        .drop(key)
    )


_MAY_NEED_CLEANING = (
    "["
    + "".join(sorted({re.escape(garbled[0]) for garbled in TEXT_REPAIRS}))
    + "]"
    + r"|\s\s|[^\S ]|^\s|\s$"
)
"""Matches every text that :func:`clean_text` could change other than a "nothing" marker: one
that holds the first character of an encoding accident, whitespace other than single spaces,
or leading or trailing whitespace. A match only means "clean this one"; it may change nothing."""


def clean_texts(values: pl.Series) -> pl.Series:
    """:func:`clean_text` over a column, computed once per distinct value when values repeat.

    Ledger columns repeat a few thousand supplier names and a few dozen service areas over
    millions of lines: the distinct values are cleaned and only those that change are
    replaced (a hash lookup), which is far cheaper than cleaning every row; a column whose
    values are already clean is returned as it is. In a column of mostly different values
    (transaction numbers), only the values that may need it are cleaned: one matching pass
    is much cheaper than the chain of replacements.
    """
    name = values.name
    if mostly_distinct(values):
        suspect = values.to_frame("text").select(
            (
                pl.col("text").str.contains(_MAY_NEED_CLEANING) | pl.col("text").is_in(NULL_MARKERS)
            ).fill_null(value=False)
        )["text"]
        at = suspect.arg_true()
        if len(at) == 0:
            return values
        fixed = values.gather(at).to_frame("text").select(clean_text(pl.col("text")))["text"]
        return values.scatter(at, fixed).rename(name)
    distinct = values.unique()
    cleaned = distinct.to_frame("text").select(clean_text(pl.col("text")))["text"]
    changed = distinct.ne_missing(cleaned)
    if not changed.any():
        return values
    return values.replace(distinct.filter(changed), cleaned.filter(changed)).rename(name)


def name_flags(names: pl.Series) -> pl.DataFrame:
    """``is_redacted`` and ``is_personal`` for each (cleaned) supplier name, in order.

    Classified once per distinct name, then looked up (see :func:`is_redacted_name` and
    :func:`is_personal_name`).
    """

    def flags(distinct: pl.Series) -> pl.DataFrame:
        name = pl.col("name")
        return distinct.to_frame("name").select(
            is_redacted_name(name).fill_null(value=False).alias("is_redacted"),
            is_personal_name(name).fill_null(value=False).alias("is_personal"),
        )

    return once_per_distinct(names, flags)


def is_blank(text: pl.Expr) -> pl.Expr:
    """True where a cell is empty or only whitespace."""
    return text.is_null() | (text.str.strip_chars() == "")


# --- amounts --------------------------------------------------------------------------------

AMOUNT_PATTERN = (
    r"(?i)^\(?\s*(?P<sign>[-−+])?\s*(?:£|gbp)?\s*(?P<sign_after_currency>[-−])?\s*"
    r"(?P<number>\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)"
    r"\s*(?P<suffix>-|cr|dr)?\s*\)?$"
)
AMOUNT_PROBLEMS = ("amount_empty", "amount_unreadable", "amount_too_large")


def parse_amounts(texts: pl.Series) -> pl.DataFrame:
    """Read sterling amounts written in any of the styles in the module docstring.

    Returns one row per text: ``amount`` (``Decimal(18, 2)`` pounds, null when not read) and
    ``problem`` (null, or one of :data:`AMOUNT_PROBLEMS`). Plain numbers (``1234.56``,
    ``-12``, ``1.5E+03``), the great majority, are cast directly; only the rest go through the
    pattern for currency signs, thousands separators, brackets and trailing minus signs.
    """
    texts = texts.cast(pl.String)
    direct = texts.cast(AMOUNT_DTYPE, strict=False)
    problem = texts.to_frame("text").select(
        pl.when(pl.col("text").is_null()).then(pl.lit("amount_empty")).alias("problem")
    )["problem"]
    unread = (direct.is_null() & texts.is_not_null()).arg_true()
    if len(unread) == 0:
        return pl.DataFrame({"amount": direct, "problem": problem})
    formatted = _parse_common_amounts(texts.gather(unread))
    slow_at = (formatted["amount"].is_null() & formatted["problem"].is_null()).arg_true()
    if len(slow_at):
        slow = _parse_formatted_amounts(texts.gather(unread.gather(slow_at)))
        formatted = pl.DataFrame(
            {
                "amount": formatted["amount"].scatter(slow_at, slow["amount"]),
                "problem": formatted["problem"].scatter(slow_at, slow["problem"]),
            }
        )
    return pl.DataFrame(
        {
            "amount": direct.scatter(unread, formatted["amount"]),
            "problem": problem.scatter(unread, formatted["problem"]),
        }
    )


_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_COMMON_AMOUNT = rf"^(?:\(£?{_DIGITS}\)|-?£?{_DIGITS}|£-{_DIGITS}|£?{_DIGITS}-)$"
"""The common written forms, ``£1,234.56``, ``(1,234.56)``, ``-£12``, ``£-12``, ``12.50-``: a
subset of :data:`AMOUNT_PATTERN` with at most one sign, so a plain match (no groups to
capture) is enough to read them."""


def _parse_common_amounts(texts: pl.Series) -> pl.DataFrame:
    """The amounts among ``texts`` in a common written form, read without the full pattern;
    ``amount`` is null for every other text (``problem`` is then null too, undecided).

    Negative when bracketed or signed; the number is what is left without the currency sign,
    the separators, the brackets and the sign. Too many digits for :data:`AMOUNT_DTYPE` is
    ``amount_too_large``, as in :func:`_parse_formatted_amounts`.
    """
    text = pl.col("text")
    return (
        texts.rename("text")
        .to_frame()
        .select(
            text.str.contains(_COMMON_AMOUNT).fill_null(value=False).alias("common"),
            text.str.contains(r"[(\-]").fill_null(value=False).alias("negative"),
            text.str.replace_all(r"[£,()\-]", "").cast(AMOUNT_DTYPE, strict=False).alias("number"),
        )
        .select(
            pl.when(pl.col("common"))
            .then(pl.when(pl.col("negative")).then(-pl.col("number")).otherwise(pl.col("number")))
            .cast(AMOUNT_DTYPE)
            .alias("amount"),
            pl.when(pl.col("common") & pl.col("number").is_null())
            .then(pl.lit("amount_too_large"))
            .alias("problem"),
        )
    )


def _parse_formatted_amounts(texts: pl.Series) -> pl.DataFrame:
    """The pattern path of :func:`parse_amounts`, in stages so each step runs once per value."""
    staged = (
        texts.rename("text")
        .to_frame()
        .with_columns(pl.col("text").str.strip_chars())
        .with_columns(
            pl.col("text").str.extract_groups(AMOUNT_PATTERN).alias("parts"),
            pl.col("text").str.starts_with("(").alias("opens"),
            pl.col("text").str.ends_with(")").alias("closes"),
        )
        .with_columns(
            pl.col("parts").struct.field("number").alias("number"),
            (
                (pl.col("opens") & pl.col("closes"))
                | pl.col("parts").struct.field("sign").is_in(["-", "−"])
                | pl.col("parts").struct.field("sign_after_currency").is_not_null()
                | pl.col("parts").struct.field("suffix").str.to_lowercase().is_in(["-", "cr"])
            )
            .fill_null(value=False)
            .alias("negative"),
        )
        .with_columns(
            pl.col("number").str.replace_all(r"[, ]", "").cast(AMOUNT_DTYPE, strict=False)
        )
        .with_columns(
            pl.when(pl.col("text").is_null() | (pl.col("text") == ""))
            .then(pl.lit("amount_empty"))
            .when(
                pl.col("parts").struct.field("number").is_null()
                | (pl.col("opens") != pl.col("closes"))
            )
            .then(pl.lit("amount_unreadable"))
            .when(pl.col("number").is_null())
            .then(pl.lit("amount_too_large"))
            .alias("problem")
        )
    )
    return staged.select(
        pl.when(pl.col("problem").is_not_null())
        .then(None)
        .when(pl.col("negative"))
        .then(-pl.col("number"))
        .otherwise(pl.col("number"))
        .cast(AMOUNT_DTYPE)
        .alias("amount"),
        "problem",
    )


def parse_amount_texts(texts: Sequence[str | None]) -> pl.DataFrame:
    """Convenience for tests and notebooks: :func:`parse_amounts` of a list of texts."""
    return parse_amounts(pl.Series(texts, dtype=pl.String))


# --- dates ----------------------------------------------------------------------------------

DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%b-%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%B-%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%d-%b-%y",
    "%d-%m-%y",
    "%d.%m.%y",
    "%d %b %y",
)
"""Every chrono format tried for a full date (after any time of day is cut off); day first,
as UK publishers write dates."""
TIME_SUFFIX_PATTERN = (
    r"(?i)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:am|pm)?(?:z|[+-]\d{2}:?\d{2})?)$"
)

_PERIOD_FORMATS = {
    # A month only: name -> pattern of the whole text, with groups for the year and month.
    "yyyymm": r"^(?P<year>(?:19|20)\d{2})(?P<month>0[1-9]|1[0-2])$",
    "yyyy-mm": r"^(?P<year>(?:19|20)\d{2})[-/](?P<month>0?[1-9]|1[0-2])$",
}
_MONTH_NAME_PERIOD = r"(?i)^(?P<month>[a-z]{3,9})[ -](?P<year>(?:19|20)?\d{2})$"
TIME_ONLY_PATTERN = r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$"
_SERIAL_PATTERN = r"^\d{5}(?:\.0+)?$"
_SERIAL_FIRST, _SERIAL_LAST = 25569, 73050  # 1970-01-01 … 2099-12-31


def _plausible(dates: pl.Expr) -> pl.Expr:
    year = dates.dt.year()
    return pl.when(year.is_between(FIRST_PLAUSIBLE_YEAR, LAST_PLAUSIBLE_YEAR)).then(dates)


def _read_format(text: pl.Expr, name: str) -> pl.Expr:
    """Dates from ``text`` written in format ``name``; null where it does not fit."""
    if name in _PERIOD_FORMATS:
        parts = text.str.extract_groups(_PERIOD_FORMATS[name])
        day_text = pl.concat_str(
            pl.lit("01/"), parts.struct.field("month"), pl.lit("/"), parts.struct.field("year")
        )
        return _plausible(day_text.str.strptime(pl.Date, "%d/%m/%Y", strict=False))
    if name == "month-name":
        parts = text.str.extract_groups(_MONTH_NAME_PERIOD)
        month = parts.struct.field("month").str.slice(0, 3)
        year = parts.struct.field("year")
        day_text = pl.concat_str(pl.lit("01 "), month, pl.lit(" "), year)
        long_year = day_text.str.strptime(pl.Date, "%d %b %Y", strict=False)
        short_year = day_text.str.strptime(pl.Date, "%d %b %y", strict=False)
        return _plausible(pl.when(year.str.len_chars() == 4).then(long_year).otherwise(short_year))
    if name == "serial":
        days = pl.when(text.str.contains(_SERIAL_PATTERN)).then(
            text.str.extract(r"^(\d{5})", 1).cast(pl.Int64, strict=False)
        )
        in_range = days.is_between(_SERIAL_FIRST, _SERIAL_LAST)
        return pl.when(in_range).then(pl.date(*EXCEL_EPOCH) + pl.duration(days=days))
    return _plausible(text.str.strptime(pl.Date, name, strict=False))


PERIOD_FORMAT_NAMES = (*_PERIOD_FORMATS, "month-name")


def _all_format_names(*, allow_serial: bool) -> tuple[str, ...]:
    return (*DATE_FORMATS, *PERIOD_FORMAT_NAMES, *(("serial",) if allow_serial else ()))


def _prepare_date_text(text: pl.Expr, *, cut_time: bool) -> pl.Expr:
    """Trimmed text, ``Sept`` read as ``Sep``, and (when ``cut_time``) a time of day after the
    date cut off: ``31/03/2025 00:00`` and ``2025-03-31T00:00:00Z`` are dates."""
    prepared = text.str.strip_chars().str.replace(r"(?i)\bsept\b", "Sep")
    return prepared.str.replace(TIME_SUFFIX_PATTERN, "") if cut_time else prepared


def detect_date_formats(sample: pl.Series, *, allow_serial: bool) -> list[str]:
    """The formats (most frequent first) that read at least one of the ``sample`` texts
    (already prepared by :func:`_prepare_date_text`)."""
    with_digits = sample.filter(sample.str.contains(r"\d"))
    if with_digits.is_empty():
        return []
    names = _all_format_names(allow_serial=allow_serial)
    hits = (
        pl.DataFrame({"text": with_digits})
        .select(
            _read_format(pl.col("text"), name).is_not_null().sum().alias(name) for name in names
        )
        .row(0)
    )
    found = [
        (count, -order, name) for order, (name, count) in enumerate(zip(names, hits, strict=True))
    ]
    return [name for count, _order, name in sorted(found, reverse=True) if count > 0]


def _read_with(text: pl.Expr, names: Sequence[str]) -> tuple[pl.Expr, pl.Expr]:
    """(date, period_only) read by the first of ``names`` that fits each text."""
    if not names:
        return pl.lit(None, dtype=pl.Date), pl.lit(value=False)
    readings = {name: _read_format(text, name) for name in names}
    full = [reading for name, reading in readings.items() if name not in PERIOD_FORMAT_NAMES]
    periods = [reading for name, reading in readings.items() if name in PERIOD_FORMAT_NAMES]
    date = pl.coalesce(list(readings.values()))
    if not periods:
        return date, pl.lit(value=False)
    full_date = pl.coalesce(full) if full else pl.lit(None, dtype=pl.Date)
    period_only = full_date.is_null() & pl.coalesce(periods).is_not_null()
    return date, period_only.fill_null(value=False)


def parse_dates(texts: pl.Series, *, allow_serial: bool = False) -> pl.DataFrame:
    """Read a column of date texts; the result has one row per text, in order.

    Columns: ``payment_date`` (Date, null when unknown), ``period_only`` (the text named only a
    month), ``time_only`` (the text was only a time of day: the date is unknown) and
    ``unreadable`` (non-empty text that is no date). ``allow_serial`` also reads spreadsheet
    serial day numbers (``45747`` = 2025-03-31); only pass it for a column known to hold dates.

    The formats seen in the first and last 1,000 values are tried over the whole column; the
    values they do not read (usually none) are trimmed and tried again with every format, so
    a column costs one parse per format it actually uses; when texts repeat, each distinct
    text is read once.
    """
    texts = texts.cast(pl.String).rename("text")
    text, common = _date_reading(texts, allow_serial=allow_serial)
    return once_per_distinct(
        texts, lambda each: _parse_dates_as(each, text, common, allow_serial=allow_serial)
    )


def _date_reading(texts: pl.Series, *, allow_serial: bool) -> tuple[pl.Expr, list[str]]:
    """How :func:`parse_dates` reads ``texts``: the text as prepared for reading, and the
    formats of the first and last 1,000 values."""
    present = texts.drop_nulls()
    sample = pl.concat([present.head(1000), present.tail(1000)]).str.strip_chars()
    cut_time = bool(sample.str.contains(":").any())
    prepared_sample = sample.to_frame("text").select(
        _prepare_date_text(pl.col("text"), cut_time=cut_time)
    )["text"]
    common = detect_date_formats(prepared_sample, allow_serial=allow_serial)
    needs_preparing = cut_time or bool(sample.str.contains("(?i)sept").any())
    text = (
        _prepare_date_text(pl.col("text"), cut_time=cut_time) if needs_preparing else pl.col("text")
    )
    return text, common


def _parse_dates_as(
    texts: pl.Series, text: pl.Expr, common: Sequence[str], *, allow_serial: bool
) -> pl.DataFrame:
    """:func:`parse_dates` of ``texts`` (named ``text``), reading ``text`` (the prepared
    text) with the ``common`` formats first."""
    date, period_only = _read_with(text, common)
    parsed = (
        texts.to_frame()
        .with_columns(
            date.alias("payment_date"),
            period_only.alias("period_only"),
            pl.lit(value=False).alias("time_only"),
            pl.lit(value=False).alias("unreadable"),
        )
        .drop("text")
    )

    missed = (parsed["payment_date"].is_null() & texts.is_not_null()).arg_true()
    if len(missed) == 0:
        return parsed
    retry_date, retry_period = _read_with(
        pl.col("text"), _all_format_names(allow_serial=allow_serial)
    )
    retried = (
        texts.gather(missed)
        .str.strip_chars()
        .to_frame()
        .select(
            pl.col("text").str.contains(TIME_ONLY_PATTERN).alias("time_only"),
            ((pl.col("text") == "") | pl.col("text").is_null()).alias("blank"),
            _prepare_date_text(pl.col("text"), cut_time=True).alias("text"),
        )
        .with_columns(retry_date.alias("date"), retry_period.alias("period"))
    )
    unreadable = retried["date"].is_null() & ~retried["time_only"] & ~retried["blank"]
    return parsed.with_columns(
        parsed["payment_date"].scatter(missed, retried["date"]),
        parsed["period_only"].scatter(missed, retried["period"]),
        parsed["time_only"].scatter(missed, retried["time_only"]),
        parsed["unreadable"].scatter(missed, unreadable),
    )


def classify_date_texts(texts: pl.Series) -> pl.DataFrame:
    """For a small sample (profiling): ``payment_date`` and ``period_only`` per text, trying
    every format at once (no spreadsheet serials)."""
    date, period_only = _read_with(pl.col("text"), _all_format_names(allow_serial=False))
    return (
        pl.DataFrame({"raw": texts})
        .select(_prepare_date_text(pl.col("raw"), cut_time=True).alias("text"))
        .select(date.alias("payment_date"), period_only.alias("period_only"))
    )


# --- names, codes and flags -----------------------------------------------------------------

REDACTION_PATTERN = (
    r"(?i)\b(?:redacted|redaction|withheld|not disclosed|not published|name removed|"
    r"data protection|gdpr)\b|\bpersonal (?:data|information|details)\b|"
    r"^(?:personal|private|individual|private individual|confidential|anonymi[sz]ed)$|"
    r"^\*{2,}$|^x{3,}$"
)
"""A supplier name that says the real name was withheld (``REDACTED PERSONAL DATA``,
``Redacted``, ``Personal information``); ``Redactive Publishing`` is not one."""

NOT_PERSONAL_REDACTION = r"(?i)commercial|confidential"
"""A redaction for commercial confidentiality: the payee is a business, not a person."""

_TITLES = r"(?:mr|mrs|ms|miss|mx|dr|rev|revd|prof|sir|dame|lady|lord)"
_GIVEN_NAMES = (
    "aaron",
    "adam",
    "adrian",
    "alan",
    "alex",
    "alexander",
    "alice",
    "alison",
    "amanda",
    "amy",
    "andrew",
    "angela",
    "ann",
    "anna",
    "anne",
    "anthony",
    "barbara",
    "barry",
    "ben",
    "benjamin",
    "beth",
    "bethan",
    "bill",
    "brian",
    "bryn",
    "callum",
    "carl",
    "carol",
    "caroline",
    "catherine",
    "charles",
    "charlotte",
    "chris",
    "christine",
    "christopher",
    "claire",
    "colin",
    "craig",
    "dafydd",
    "daniel",
    "david",
    "dawn",
    "dean",
    "deborah",
    "debra",
    "denise",
    "dennis",
    "derek",
    "diane",
    "donna",
    "dylan",
    "edward",
    "eileen",
    "elaine",
    "eleanor",
    "elizabeth",
    "ellen",
    "emily",
    "emma",
    "eric",
    "fiona",
    "frances",
    "gareth",
    "gary",
    "gavin",
    "geoffrey",
    "george",
    "geraint",
    "gillian",
    "glyn",
    "graham",
    "gwen",
    "gwyn",
    "hannah",
    "harry",
    "heather",
    "helen",
    "huw",
    "ian",
    "iwan",
    "jack",
    "jacqueline",
    "james",
    "jane",
    "janet",
    "janice",
    "jason",
    "jean",
    "jennifer",
    "jessica",
    "joan",
    "joanne",
    "john",
    "jonathan",
    "joseph",
    "joyce",
    "julia",
    "julie",
    "karen",
    "kate",
    "katherine",
    "kathleen",
    "keith",
    "kelly",
    "kenneth",
    "kevin",
    "kim",
    "laura",
    "lee",
    "leslie",
    "lewis",
    "linda",
    "lisa",
    "louise",
    "lucy",
    "lynn",
    "lynne",
    "malcolm",
    "margaret",
    "maria",
    "marie",
    "mark",
    "martin",
    "mary",
    "matthew",
    "megan",
    "melanie",
    "michael",
    "michelle",
    "mohammed",
    "muhammad",
    "nathan",
    "neil",
    "nia",
    "nicholas",
    "nicola",
    "nigel",
    "owen",
    "patricia",
    "paul",
    "pauline",
    "peter",
    "philip",
    "rachel",
    "rebecca",
    "rhian",
    "rhys",
    "richard",
    "robert",
    "ronald",
    "rosemary",
    "ruth",
    "ryan",
    "sally",
    "samantha",
    "samuel",
    "sandra",
    "sarah",
    "scott",
    "sharon",
    "sheila",
    "shirley",
    "sian",
    "simon",
    "sophie",
    "stephen",
    "steven",
    "stuart",
    "susan",
    "teresa",
    "thomas",
    "timothy",
    "tom",
    "tracey",
    "tracy",
    "trevor",
    "valerie",
    "vanessa",
    "victoria",
    "wayne",
    "wendy",
    "william",
    "yvonne",
)
_ORGANISATION_WORDS = (
    r"(?i)\b(?:ltd|limited|plc|llp|llc|inc|co|cic|cio|company|council|trust|services?|group|"
    r"centre|center|school|college|university|academy|church|association|society|club|"
    r"partnership|nursery|playgroup|care|homes?|hire|taxis?|cars?|solicitors|law|legal|"
    r"chambers|uk|foundation|charity|hospital|nhs|cafe|hotels?|inn|restaurant|garage|motors|"
    r"travel|consult\w*|associates|sons|brothers|bros|enterprises?|international|worldwide|"
    r"world|global|direct|online|express|holdings|estates?|properties|developments?|"
    r"construction|contracting|contractors?|engineer\w*|fabricat\w*|systems|solutions|"
    r"supplies|products|industries|trading|stores?|shop|pharmacy|surgery|practice|agency|"
    r"network|project|fund|board|authority|borough|city|county|district|metropolitan|"
    r"department|office|police|library|museum|theatre|studios?|media|design|print\w*|"
    r"photograph\w*|transport|haulage|logistics|energy|water|electric\w*|gas|farm|kennels|"
    r"vets?|veterinary|dental|clinic|medical|health|housing|house|hall|court|lodge|villas?|"
    r"manor|park|gardens?|landscap\w*|fitness|sports?|leisure|arts?|music|entertainments?|"
    r"events?|promotions?|catering|foods?|bakery|builders?|plumbing|heating|roofing|carpets?|"
    r"decorat\w*|locksmiths?|maintenance|cleaning|security|recruitment|training|education|"
    r"learning|surveyors?|adjusting|factors|platforms|settlement|residential|tesco|the|and|of|"
    r"mbc|dc|bc|cc|m\.?\s?b\.?\s?c\.?|c\.?i\.?c\.?|l\s?b)\b"
)
_GIVEN = "|".join(_GIVEN_NAMES)
_SURNAME = r"[a-z][a-z'\-]+"
_POST_NOMINALS = r"(?:\s+(?:qc|kc|mbe|obe|cbe|jp))?"
_PERSON_PATTERNS = (
    # Mr J Smith, Dr Sumeet Gupta, Miss Zoe Leventhal
    rf"(?i)^{_TITLES}\.?\s+[a-z]",
    # A E Speight, J. Smith, A E & Sheila Hall
    rf"(?i)^(?:[a-z]\.?\s+){{1,3}}(?:&\s+[a-z]+\s+)?{_SURNAME}{_POST_NOMINALS}$",
    # SMITH J, Smith, J. A.
    rf"(?i)^{_SURNAME},?(?:\s+[a-z]\.?){{1,3}}$",
    # Ellen Havard, Janice Marie Ward, James O Jenkins, Anne Studd QC
    rf"(?i)^(?:{_GIVEN})\s+(?:(?:[a-z]\.?|{_GIVEN})\s+)?{_SURNAME}{_POST_NOMINALS}$",
)


def is_redacted_name(name: pl.Expr) -> pl.Expr:
    """True where a (cleaned) supplier name is a redaction marker."""
    return name.str.contains(REDACTION_PATTERN).fill_null(value=False)


def looks_like_individual(name: pl.Expr) -> pl.Expr:
    """True where a (cleaned) supplier name looks like a person's name, not an organisation.

    A heuristic, to protect personal data, not to prove anything: a title (``Mr J Smith``),
    initials and a surname (``A E Speight``, ``SMITH J``), or a common first name and a surname
    (``ELLEN HAVARD``), with no digits and no organisation word (Ltd, Trust, Services, School,
    Hire …). It errs towards flagging: a flagged business is only shown more carefully.
    """
    shaped_like_person = pl.any_horizontal(
        name.str.contains(pattern) for pattern in _PERSON_PATTERNS
    )
    return (
        shaped_like_person & ~name.str.contains(_ORGANISATION_WORDS) & ~name.str.contains(r"\d")
    ).fill_null(value=False)


def is_personal_name(name: pl.Expr) -> pl.Expr:
    """True where a (cleaned) supplier name is, or stands for, a private individual.

    A redaction counts unless it says it was for commercial confidentiality: under the Local
    Government Transparency Code names are withheld chiefly to protect individuals.
    """
    redacted_person = is_redacted_name(name) & ~name.str.contains(NOT_PERSONAL_REDACTION).fill_null(
        value=False
    )
    return redacted_person | looks_like_individual(name)


def capital_or_revenue(text: pl.Expr) -> pl.Expr:
    """``capital`` or ``revenue`` from C/R, Cap/Rev, Capital/Revenue (… Expenditure); other
    non-empty values are kept as written (cleaned)."""
    lowered = text.str.to_lowercase()
    return (
        pl.when(lowered.str.contains(r"^(?:c|cap|capital)(?: expenditure| spend)?$"))
        .then(pl.lit("capital"))
        .when(lowered.str.contains(r"^(?:r|rev|revenue)(?: expenditure| spend)?$"))
        .then(pl.lit("revenue"))
        .otherwise(text)
    )


def company_number(text: pl.Expr) -> pl.Expr:
    """A Companies House number: upper case, no spaces, numeric ones zero-padded to 8."""
    compact = text.str.to_uppercase().str.replace_all(r"\s+", "")
    return pl.when(compact.str.contains(r"^\d{1,8}$")).then(compact.str.zfill(8)).otherwise(compact)


def vat_number(text: pl.Expr) -> pl.Expr:
    """A UK VAT registration number as ``GB`` + 9 (or 12) digits; other values kept compact."""
    compact = text.str.to_uppercase().str.replace_all(r"[\s.\-]+", "")
    with_prefix = pl.when(compact.str.contains(r"^\d{9}(?:\d{3})?$")).then(
        pl.concat_str(pl.lit("GB"), compact)
    )
    return pl.when(is_redacted_name(text)).then(None).otherwise(with_prefix.otherwise(compact))


def postcode(text: pl.Expr) -> pl.Expr:
    """A UK postcode in upper case with one space before the inward code (``CF10 3NQ``)."""
    compact = text.str.to_uppercase().str.replace_all(r"\s+", "")
    valid = compact.str.contains(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
    spaced = pl.concat_str(
        compact.str.slice(0, compact.str.len_chars() - 3), pl.lit(" "), compact.str.slice(-3)
    )
    return pl.when(valid).then(spaced).otherwise(text)


def identifier(text: pl.Expr) -> pl.Expr:
    """A reference or id (cleaned text), null when it is a redaction marker."""
    return pl.when(is_redacted_name(text)).then(None).otherwise(text)
