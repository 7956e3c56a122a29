"""The DPIA screening: each trigger gives the stated outcome and names its source."""

from __future__ import annotations

import pytest

from infuse.datalab.dpia import (
    ARTICLE_35_3,
    ICO_HIGH_RISK,
    QUESTION_KEYS,
    Criterion,
    Outcome,
    dpia_screen,
)


def only(*keys: str) -> dict[str, bool]:
    return {key: key in keys for key in QUESTION_KEYS}


def test_nothing_answered_yes_means_no_dpia_is_indicated() -> None:
    result = dpia_screen(only())
    assert result.outcome is Outcome.NOT_INDICATED and result.reasons == ()


@pytest.mark.parametrize("criterion", ARTICLE_35_3, ids=lambda c: c.key)
def test_each_article_35_3_case_requires_a_dpia(criterion: Criterion) -> None:
    key = criterion.key
    result = dpia_screen(only(key))
    assert result.outcome is Outcome.REQUIRED
    assert [(r.key, r.source) for r in result.reasons] == [(key, criterion.source)]
    assert result.reasons[0].source.startswith("UK GDPR Article 35(3)(")


@pytest.mark.parametrize(
    "criterion",
    [c for c in ICO_HIGH_RISK if c.key != "innovative_technology"],
    ids=lambda c: c.key,
)
def test_each_ico_high_risk_case_requires_a_dpia(criterion: Criterion) -> None:
    key = criterion.key
    result = dpia_screen(only(key))
    assert result.outcome is Outcome.REQUIRED
    assert [r.key for r in result.reasons] == [key]
    assert "ICO" in result.reasons[0].source


def test_innovative_technology_alone_is_recommended_and_with_another_is_required() -> None:
    alone = dpia_screen(only("innovative_technology"))
    assert alone.outcome is Outcome.RECOMMENDED
    assert [r.key for r in alone.reasons] == ["innovative_technology"]
    combined = dpia_screen(only("innovative_technology", "data_matching"))
    assert combined.outcome is Outcome.REQUIRED
    assert {r.key for r in combined.reasons} == {"innovative_technology", "data_matching"}


def test_a_major_project_with_personal_data_is_recommended_as_good_practice() -> None:
    result = dpia_screen(only("personal_data", "major_project"))
    assert result.outcome is Outcome.RECOMMENDED
    assert {r.key for r in result.reasons} == {"personal_data", "major_project"}
    assert dpia_screen(only("personal_data")).outcome is Outcome.NOT_INDICATED


def test_every_reason_for_a_required_dpia_is_listed() -> None:
    result = dpia_screen(only("public_monitoring", "tracking", "personal_data"))
    assert result.outcome is Outcome.REQUIRED
    assert [r.key for r in result.reasons] == ["public_monitoring", "tracking"]


def test_an_unknown_question_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown"):
        dpia_screen({"astrology": True})
