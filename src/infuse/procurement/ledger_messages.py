"""Messages the spend-ledger engine gives people, kept translatable without Django.

The engine is pure (no Django), yet every message it produces reaches a person, in English or
Welsh. So it never builds a finished sentence: it returns a :class:`Problem`, which is a stable
``code``, an English ``template`` with ``%(name)s`` placeholders, and the ``params`` to put in
them. The Django layer translates ``template`` (``gettext(problem.template) % problem.params``);
a command line or a test reads :meth:`Problem.text`.

Templates are marked with a local :func:`gettext_noop`, an identity function: the name is what
``makemessages`` looks for, so the templates land in the Welsh catalogue, while the module stays
free of Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ParamValue = str | int


def gettext_noop(template: str) -> str:
    """Mark an English message template for later translation; returns it unchanged."""
    return template


# One entry per message the engine can give: code -> English template.
MESSAGE_TEMPLATES: dict[str, str] = {
    # Whole-file problems (the import stops).
    "file_empty": gettext_noop("The file is empty."),
    "file_too_large": gettext_noop(
        "The file is larger than %(limit_mb)s MB once uncompressed, the most one import takes."
    ),
    "compressed_unreadable": gettext_noop(
        "The file looks compressed (gzip) but cannot be uncompressed: %(detail)s"
    ),
    "spreadsheet_unreadable": gettext_noop(
        "The spreadsheet cannot be read: %(detail)s. Save it again as XLSX, ODS or CSV."
    ),
    "zip_not_spreadsheet": gettext_noop(
        "The file is a ZIP archive but not an XLSX or ODS spreadsheet. Upload the CSV or "
        "spreadsheet inside it instead."
    ),
    "not_text": gettext_noop(
        "The file is not a CSV text file or a spreadsheet (it contains binary data)."
    ),
    "csv_unreadable": gettext_noop("The file cannot be read as CSV: %(detail)s"),
    "no_table": gettext_noop(
        "No table of payments was found: no line in the first %(lines)s looks like a row of "
        "column headings (for example Date, Supplier, Amount)."
    ),
    "too_few_columns": gettext_noop(
        "The table has only %(count)s column; a list of payments needs at least a supplier and "
        "an amount."
    ),
    "no_data_rows": gettext_noop("The table has headings (line %(line)s) but no rows."),
    "summary_table": gettext_noop(
        "This file is a summary table, not a list of payments: it has no payment dates or "
        "transaction numbers, and its line %(line)s reads “%(text)s”. Upload the "
        "transaction-level export instead."
    ),
    "mapping_unknown_role": gettext_noop("The column mapping names an unknown field %(role)s."),
    "mapping_column_missing": gettext_noop(
        "The column mapping puts %(role)s in column %(column)s, which this file does not have."
    ),
    "mapping_column_twice": gettext_noop(
        "The column mapping uses column %(column)s for both %(role)s and %(other_role)s."
    ),
    "mapping_required_missing": gettext_noop(
        "Choose the column that holds the %(role)s: it could not be recognised for certain."
    ),
    "mapping_uncertain": gettext_noop(
        "The columns could not all be recognised for certain (%(roles)s). Check the proposed "
        "mapping and confirm it."
    ),
    "nothing_imported": gettext_noop(
        "None of the %(rows)s rows could be imported; the list of rejected lines, from line "
        "%(line)s, says why."
    ),
    # Row problems (the row is rejected, the rest of the file imports).
    "blank_line": gettext_noop("The line is blank."),
    "amount_empty": gettext_noop("The amount is empty."),
    "amount_unreadable": gettext_noop("The amount %(value)s is not a number of pounds."),
    "amount_too_large": gettext_noop(
        "The amount %(value)s is too large (the largest is £9,999,999,999,999,999.99)."
    ),
    "date_unreadable": gettext_noop(
        "The date %(value)s is not a date (expected for example 31/03/2025, 2025-03-31, "
        "31-Mar-2025 or 202503)."
    ),
    "total_line": gettext_noop(
        "The line is a total (%(value)s), not a payment; totals are calculated, not imported."
    ),
    "repeated_header": gettext_noop("The line repeats the column headings."),
    # Notes about a file that imported (shown beside the summary).
    "encoding_fallback": gettext_noop("The file is not UTF-8; it was read as %(encoding)s."),
    "garbled_bom": gettext_noop(
        "The first heading began with a garbled byte-order mark (ï»¿), which was removed."
    ),
    "preamble_skipped": gettext_noop(
        "%(count)s line(s) before the headings on line %(line)s were skipped."
    ),
    "headerless": gettext_noop(
        "The file has no row of headings; the columns were recognised from their contents."
    ),
    "unnamed_columns": gettext_noop(
        "%(count)s column(s) without a heading (%(columns)s) were read but not mapped."
    ),
    "dates_time_only": gettext_noop(
        "Every value in the date column %(column)s is a time of day only (%(example)s), so the "
        "payment dates are unknown. The rows were imported without a date."
    ),
    "dates_unknown": gettext_noop("%(count)s row(s) have no payment date."),
    "period_only": gettext_noop(
        "The date column %(column)s gives only the month (for example %(example)s): each "
        "payment is dated the first day of its month."
    ),
    "credit_notes": gettext_noop(
        "%(count)s row(s) are credits or refunds (negative amounts); they were kept and reduce "
        "the total."
    ),
    "redacted_suppliers": gettext_noop(
        "%(count)s row(s) have a redacted supplier name; they were kept without a supplier name."
    ),
    "personal_suppliers": gettext_noop(
        "%(count)s row(s) look like payments to individuals; treat their supplier names as "
        "personal data."
    ),
    "suppliers_missing": gettext_noop("%(count)s row(s) have no supplier name."),
    "vat_unreadable": gettext_noop(
        "%(count)s VAT amount(s) could not be read and were left empty."
    ),
    "sheet_chosen": gettext_noop("The payments were read from the sheet %(sheet)s."),
}


@dataclass(frozen=True)
class Problem:
    """A message for a person: a stable ``code``, an English ``template`` and its ``params``.

    ``template`` uses ``%(name)s`` placeholders filled from ``params``; translate the template,
    then fill it, so a Welsh sentence can order the values as Welsh needs.
    """

    code: str
    template: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def text(self) -> str:
        """The English sentence with the values filled in."""
        return self.template % dict(self.params)


def message(code: str, **params: ParamValue) -> Problem:
    """The :class:`Problem` for ``code`` (a key of :data:`MESSAGE_TEMPLATES`) with ``params``."""
    return Problem(code=code, template=MESSAGE_TEMPLATES[code], params=params)


class LedgerFileError(Exception):
    """A file the engine cannot import as a whole; ``problem`` says why, for a person.

    Every failure caused by the file's content (unreadable, not a ledger, a summary table, a
    mapping that does not fit) is raised as this class or a subclass, never as a library error.
    """

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text())
        self.problem = problem
