"""DPIA screening: whether a Data Protection Impact Assessment is required, recommended or not
indicated, from yes/no answers. Pure computation: no Django, no database.

Sources:

* UK GDPR Article 35(3): a DPIA is required in particular for (a) a systematic and extensive
  evaluation of personal aspects based on automated processing, including profiling, on which
  decisions with legal or similarly significant effects are based; (b) processing on a large
  scale of special category data (Article 9(1)) or of data on criminal convictions and offences
  (Article 10); (c) systematic monitoring of a publicly accessible area on a large scale.
* The Information Commissioner's Office, "Examples of processing 'likely to result in high
  risk'" (guidance on DPIAs, under Article 35(4)): innovative technology, denial of service,
  large-scale profiling, biometric data, genetic data, data matching, invisible processing,
  tracking, targeting of children or other vulnerable people, and risk of physical harm. The
  ICO requires a DPIA for each of these, except that innovative technology counts only in
  combination with another high-risk indicator; on its own we recommend one.
* The ICO also calls it good practice to do a DPIA for any other major project that processes
  personal data: that gives "recommended".

This is a screening, not legal advice: the outcome tells a team whether to start a DPIA with
their data protection officer, and why.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class Outcome(enum.StrEnum):
    REQUIRED = "required"
    RECOMMENDED = "recommended"
    NOT_INDICATED = "not_indicated"


@dataclass(frozen=True)
class Criterion:
    key: str
    source: str


ARTICLE_35_3 = (
    Criterion("automated_evaluation", "UK GDPR Article 35(3)(a)"),
    Criterion("large_scale_special", "UK GDPR Article 35(3)(b)"),
    Criterion("public_monitoring", "UK GDPR Article 35(3)(c)"),
)
ICO_HIGH_RISK_SOURCE = "ICO, examples of processing likely to result in high risk"
ICO_HIGH_RISK = tuple(
    Criterion(key, ICO_HIGH_RISK_SOURCE)
    for key in (
        "innovative_technology",
        "denial_of_service",
        "large_scale_profiling",
        "biometrics",
        "genetic",
        "data_matching",
        "invisible_processing",
        "tracking",
        "children_vulnerable",
        "physical_harm",
    )
)
GOOD_PRACTICE = (
    Criterion("personal_data", "ICO, DPIA guidance: good practice"),
    Criterion("major_project", "ICO, DPIA guidance: good practice"),
)
#: Every question of the screening, in the order it is asked.
QUESTION_KEYS = tuple(c.key for c in (*GOOD_PRACTICE, *ARTICLE_35_3, *ICO_HIGH_RISK))

# Innovative technology is a high-risk indicator only alongside another one (ICO).
ONLY_IN_COMBINATION = "innovative_technology"


@dataclass(frozen=True)
class Screening:
    outcome: Outcome
    reasons: tuple[Criterion, ...]


def dpia_screen(answers: Mapping[str, bool]) -> Screening:
    """The outcome of the screening and the criteria that led to it.

    ``answers`` maps each key of ``QUESTION_KEYS`` to True (yes) or False (no); a missing key
    is a no. Reasons are the criteria answered yes that decided the outcome, with their source.
    """
    unknown = set(answers) - set(QUESTION_KEYS)
    if unknown:
        raise ValueError(f"Unknown screening questions: {sorted(unknown)}")
    yes = {key for key, value in answers.items() if value}
    required = [c for c in ARTICLE_35_3 if c.key in yes]
    high_risk = [c for c in ICO_HIGH_RISK if c.key in yes]
    standalone = [c for c in high_risk if c.key != ONLY_IN_COMBINATION]
    if required or standalone:
        return Screening(Outcome.REQUIRED, tuple(required + high_risk))
    if high_risk:
        return Screening(Outcome.RECOMMENDED, tuple(high_risk))
    if {"personal_data", "major_project"} <= yes:
        return Screening(Outcome.RECOMMENDED, GOOD_PRACTICE)
    return Screening(Outcome.NOT_INDICATED, ())
