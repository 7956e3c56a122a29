"""A body's red-flag settings: checking them with messages in the user's language, and what
each indicator will use, for the settings page.

The format is Cardinal's settings file (INI; https://cardinal.readthedocs.io/en/latest/cli/
indicators/, repository open-contracting/cardinal-rs), read by :func:`redflags.parse_settings`
with the UK indicators' sections (:mod:`redflags_uk`). The engine's own errors are in English
for the command line; this module checks the same rules first and says what is wrong in the
active language, naming the section, the key and the value. No database access.
"""

from __future__ import annotations

import configparser
import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infuse.errors import UserFacingError

from . import redflags, redflags_uk

# The indicators the pages run, in order: Cardinal's, then the UK ones that need contract data
# only. UK005 compares contracts with a ledger, which the pages do not pass to the engine.
PAGE_INDICATORS = (*redflags.INDICATORS, "UK001", "UK002", "UK003", "UK004")
LEDGER_ONLY = ("UK005",)

# What each indicator flags, in a sentence (definitions, thresholds and sources:
# docs/procurement/red-flags.md).
INDICATOR_TITLES = {
    "R003": gettext_lazy("Tender period shorter than the threshold"),
    "R018": gettext_lazy("Only one tenderer in a competitive procedure"),
    "R024": gettext_lazy("Winning bid unusually close to the second-lowest bid"),
    "R025": gettext_lazy("Tenderer that bids often but wins unusually rarely"),
    "R028": gettext_lazy("Identical bid prices from different tenderers"),
    "R030": gettext_lazy("Winning bid submitted after the tender period closed"),
    "R035": gettext_lazy("Every bid but the winner's disqualified"),
    "R036": gettext_lazy("Lowest bid disqualified while a valid bid exists"),
    "R038": gettext_lazy("Unusually high share of disqualified bids"),
    "R048": gettext_lazy("Supplier winning across unusually many kinds of work"),
    "R058": gettext_lazy("Winning bid unusually far below the second-lowest bid"),
    "UK001": gettext_lazy("Contract value far above the tender's estimate"),
    "UK002": gettext_lazy("Very short tender period for high-value work"),
    "UK003": gettext_lazy("Repeated direct awards to one supplier"),
    "UK004": gettext_lazy("Value just below a procurement threshold"),
    "UK005": gettext_lazy("Supplier paid far more than the contract value"),
}

# Who a flag is raised on, by the engine's group (Cardinal's output shape).
GROUP_LABELS = {
    "OCID": gettext_lazy("Contracting process"),
    "Buyer": gettext_lazy("Buyer"),
    "ProcuringEntity": gettext_lazy("Procuring entity"),
    "Tenderer": gettext_lazy("Supplier"),
}

# Cardinal's defaults where the engine has one (redflags.py); a threshold that is absent means
# "the outlier fence from the quartiles" for R024, R025, R038, R048 and R058.
CARDINAL_DEFAULTS: dict[str, dict[str, Any]] = {
    "R003": {"threshold": 15},
    "R018": {"procurement_methods": "open|selective"},
    "R025": {"percentile": 75},
    "R035": {"threshold": 1},
    "R038": {"minimum_submitted_bids": 2, "minimum_contracting_processes": 2},
    "R048": {"digits": 2, "minimum_contracting_processes": 20},
}
FENCE_DEFAULT = ("R024", "R025", "R038", "R048", "R058")

# Today's page settings: every indicator above with its defaults.
DEFAULT_SETTINGS = "\n".join(f"[{code}]" for code in PAGE_INDICATORS)

_TOP = (
    "currency",
    "no_price_comparison_procurement_methods",
    "price_comparison_procurement_methods",
)
_IGNORED = (
    "defaults",
    "redactions",
    "corrections",
    "modifications",
    "codelists.bid_status",
    "codelists.award_status",
)


def _allowed(section: str) -> dict[str, type] | None:
    """The keys a section accepts and their types, or None for an unknown section."""
    if section in redflags._ALLOWED:
        return redflags._ALLOWED[section]
    if section in redflags_uk.DEFAULTS and section not in LEDGER_ONLY:
        return {key: type(value) for key, value in redflags_uk.DEFAULTS[section].items()}
    if section == "exclusions":
        return {"procurement_method_details": str}
    return None


def _check_number(section: str, key: str, value: str, kind: type) -> None:
    names = {"section": section, "key": key, "value": value.strip()}
    try:
        number = float(value.strip())
    except ValueError:
        raise UserFacingError(
            _("“%(key)s” in [%(section)s] must be a number, not “%(value)s”.") % names
        ) from None
    if not math.isfinite(number):
        raise UserFacingError(_("“%(key)s” in [%(section)s] must be a finite number.") % names)
    if number < 0:
        raise UserFacingError(_("“%(key)s” in [%(section)s] must not be negative.") % names)
    if kind is int and not value.strip().isdigit():
        raise UserFacingError(
            _("“%(key)s” in [%(section)s] must be a whole number, not “%(value)s”.") % names
        )


def settings_check(text: str) -> redflags.Settings:
    """Parse ``text`` (Cardinal's INI settings) for the pages, or raise ``UserFacingError``
    saying what is wrong in the active language."""
    parser = configparser.ConfigParser(
        interpolation=None,
        inline_comment_prefixes=(";", "#"),
        comment_prefixes=(";", "#"),
        strict=True,
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string("[__top__]\n" + text)
    except configparser.DuplicateSectionError as error:
        raise UserFacingError(
            _("The section [%(section)s] appears twice.") % {"section": error.section}
        ) from None
    except configparser.DuplicateOptionError as error:
        raise UserFacingError(
            _("“%(key)s” appears twice in [%(section)s].")
            % {"key": error.option, "section": error.section}
        ) from None
    except configparser.Error as error:
        line = max(int(getattr(error, "lineno", 0) or 0) - 1, 1)
        errors = getattr(error, "errors", None)
        if errors:
            line = max(int(errors[0][0]) - 1, 1)
        raise UserFacingError(
            _(
                "Line %(line)s is neither a [section] nor a “key = value” setting "
                "(Cardinal's settings format)."
            )
            % {"line": line}
        ) from None
    for key in parser["__top__"]:
        if key not in _TOP:
            raise UserFacingError(
                _("Unknown setting “%(key)s” before the first section.") % {"key": key}
            )
    sections = [s for s in parser.sections() if s != "__top__"]
    for section in sections:
        if section in _IGNORED:
            continue
        if section in LEDGER_ONLY:
            raise UserFacingError(
                _(
                    "[%(section)s] compares contracts with a spend ledger, so it runs only from "
                    "the command line (infuse redflags --ledger)."
                )
                % {"section": section}
            )
        if section == "R003.procurement_method_details":
            for key, value in parser[section].items():
                _check_number(section, key, value, int)
            continue
        allowed = _allowed(section)
        if allowed is None:
            raise UserFacingError(
                _("Unknown indicator or section [%(section)s]. The indicators are %(codes)s.")
                % {"section": section, "codes": ", ".join(PAGE_INDICATORS)}
            )
        for key, value in parser[section].items():
            if key not in allowed:
                raise UserFacingError(
                    _("Unknown setting “%(key)s” in [%(section)s]; it accepts: %(keys)s.")
                    % {
                        "key": key,
                        "section": section,
                        "keys": ", ".join(allowed) or _("no settings"),
                    }
                )
            if allowed[key] in (int, float):
                _check_number(section, key, value, allowed[key])
    if not any(section in PAGE_INDICATORS for section in sections):
        raise UserFacingError(
            _("The settings turn on no indicator: add at least one section, such as [R003].")
        )
    try:
        parsed = redflags.parse_settings(text, extra_sections=redflags_uk.SECTIONS)
        redflags_uk.validate(parsed)
    except redflags.SettingsError as error:
        raise UserFacingError(
            _("The settings file is not valid: %(reason)s") % {"reason": error}
        ) from None
    return parsed


@dataclass(frozen=True)
class IndicatorSetting:
    """One indicator as the settings run it: on or off, and each of its settings with its
    value (``default`` true when the engine's default applies)."""

    code: str
    on: bool
    values: list[tuple[str, str, bool]]
    fence: bool  # the threshold is the outlier fence from the quartiles

    @property
    def title(self) -> str:
        return str(INDICATOR_TITLES.get(self.code, self.code))


def indicator_settings(parsed: redflags.Settings) -> list[IndicatorSetting]:
    """What each page indicator will use under ``parsed``."""
    rows = []
    for code in PAGE_INDICATORS:
        if code in redflags.INDICATORS:
            on = code in parsed.indicators
            given = {
                k: v
                for k, v in parsed.indicators.get(code, {}).items()
                if k != "procurement_method_details"
            }
            details = parsed.indicators.get(code, {}).get("procurement_method_details") or {}
            given.update({f"{k} (procurementMethodDetails)": v for k, v in details.items()})
            defaults = CARDINAL_DEFAULTS.get(code, {})
            fence = code in FENCE_DEFAULT and "threshold" not in given
        else:
            on = code in parsed.extra
            given = dict(parsed.extra.get(code, {}))
            defaults = redflags_uk.DEFAULTS[code]
            fence = False
        values = [(key, str(value), False) for key, value in given.items()]
        values += [(key, str(value), True) for key, value in defaults.items() if key not in given]
        rows.append(IndicatorSetting(code=code, on=on, values=values, fence=fence))
    return rows
