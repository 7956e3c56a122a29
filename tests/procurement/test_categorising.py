"""Tests for the spend-categorisation engine (pure: no Django, no database).

Most tests use a few real ProClass rows written inline; the model-accuracy test reads Trafford's
ProClass-coded ledger and the full ProClass list from ``shared/data`` and skips without them.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import joblib
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infuse.procurement.categorising import (
    DEFAULT_RULES,
    REASON_CODE_IN_FILE,
    REASON_MODEL,
    REASON_NOTHING_APPLIED,
    UNCLASSIFIED_NAME,
    CategorisingError,
    Rule,
    SpendCategoryModel,
    categorise,
    cpv_division_to_proclass,
    level1_codes,
    load_proclass,
    model_text,
    rules_from_dicts,
    rules_to_dicts,
    train,
)

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
PROCLASS_CSV = SHARED_DATA / "classifications" / "proclass_17.csv"
TRAFFORD = SHARED_DATA / "spend" / "trafford-council" / "trafford-supplier-spend-2025-03.csv.gz"

# Real rows of ProClass vC17.1 (proclass_17.csv), enough for the tests without shared data.
PROCLASS_ROWS = b"""code,level1,level2,level3,clarification_info
180000,Environmental Services,"","",Service
182000,Environmental Services,Waste Management,"",Service
260000,Human Resources,"","",Service
261400,Human Resources,Temporary & Agency Staff,"",Service
261500,Human Resources,Training & Conferences,"",Service
270000,Information Communication Technology,"","",Product / service
271440,Information Communication Technology,Software,"",Product
301200,Mail Services,Postage,"",Service
300000,Mail Services,"","",Service
340000,Stationery,"","",Product
341000,Stationery,Paper Products,"",Product
390000,"Works - Construction, Repair & Maintenance","","",Works
321000,Social Community Care Supplies & Services - Adult,"","",Service
321014,Social Community Care Supplies & Services - Adult,Domiciliary Care,"",Service
321017,Social Community Care Supplies & Services - Adult,Nursing & Residential Care Homes,"",S
321500,Social Community Care Supplies & Services - Adult,Direct Payment,"",Service
201800,Financial Services,Insurance,"",Service
200000,Financial Services,"","",Service
201100,Financial Services,Audit,"",Service
361450,Passenger Transport,Taxi Services,"",Service
360000,Passenger Transport,"","",Service
371000,Utilities,Electricity,"",Utility
371100,Utilities,Gas,"",Utility
371300,Utilities,Water,"",Utility
370000,Utilities,"","",Utility
271699,Information Communication Technology,Telecommunications,Not Elsewhere Classified,P
261100,Human Resources,Interpretation & Translation,"",Service
"""
PROCLASS = load_proclass(PROCLASS_ROWS)


def ledger(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Ledger lines with the canonical text columns; missing values are null."""
    columns = ("category_code", "expense_type", "description", "supplier_name")
    return pl.DataFrame(
        {
            "line_number": list(range(1, len(rows) + 1)),
            **{name: [row.get(name) for row in rows] for name in columns},
        },
        schema_overrides={name: pl.String for name in columns},
    )


def training_lines() -> pl.DataFrame:
    """A small labelled ledger: three kinds of line, each with a clear vocabulary."""
    kinds = [
        ("182000", "skip hire and waste disposal", "Greenbin Waste Ltd"),
        ("271440", "software licence renewal", "Datasoft Systems Ltd"),
        ("341000", "copier paper and envelopes", "Paperworks Office Supplies"),
        ("361450", "school transport taxi contract", "Streetcars Private Hire"),
    ]
    rows = [
        {"category_code": code, "description": f"{text} {number}", "supplier_name": supplier}
        for code, text, supplier in kinds
        for number in range(8)
    ]
    return ledger(rows)


@functools.cache
def small_model() -> SpendCategoryModel:
    return train(training_lines(), proclass=PROCLASS, threshold=0.3)


# --- the ProClass list ------------------------------------------------------------------------


def test_load_proclass_names_levels_and_finds_level1_codes() -> None:
    row = PROCLASS.filter(pl.col("code") == "321014").row(0, named=True)
    assert row["name"] == "Social Community Care Supplies & Services - Adult > Domiciliary Care"
    assert row["level1_code"] == "321000"


def test_level1_codes_uses_listed_ancestors_and_cpv_divisions() -> None:
    codes = pl.Series(["321014", "321018", "361300", "45000000-7", "60100000", "ABC", None])
    assert level1_codes(codes, PROCLASS).to_list() == [
        "321000",  # listed
        "321000",  # not in vC17.1 (Trafford's care homes): parent 321000
        "360000",  # not listed, nor 361300's 4-digit parent: level-1 heading 360000
        "390000",  # CPV division 45, construction work
        "360000",  # CPV division 60, transport services
        None,
        None,
    ]


# --- stage 1: code in file --------------------------------------------------------------------


def test_proclass_code_in_file_at_any_level() -> None:
    lines = ledger(
        [
            {"category_code": "261400", "description": "paper"},
            {"category_code": " 270000 ", "description": "agency staff"},
        ]
    )
    out = categorise(lines, proclass=PROCLASS)
    assert out["category_code"].to_list() == ["261400", "270000"]
    assert out["confidence"].to_list() == [1.0, 1.0]
    assert out["reason"].to_list() == [REASON_CODE_IN_FILE] * 2
    assert out["category_name"][0] == "Human Resources > Temporary & Agency Staff"
    assert out["category_code_in_file"].to_list() == ["261400", " 270000 "]


def test_cpv_code_in_file_goes_through_the_cross_walk() -> None:
    lines = ledger(
        [
            {"category_code": "90511000-2"},  # refuse collection services, division 90
            {"category_code": "72000000"},  # IT services, 8 digits without check digit
            {"category_code": "01000000-0"},  # no such division: not decided by code
        ]
    )
    out = categorise(lines, proclass=PROCLASS, rules=())
    assert out["category_code"].to_list() == ["180000", "270000", None]
    assert out["confidence"].to_list() == [0.8, 0.8, 0.0]
    assert out["reason"].to_list() == [REASON_CODE_IN_FILE] * 2 + [REASON_NOTHING_APPLIED]
    assert out["category_name"][2] == UNCLASSIFIED_NAME


def test_cross_walk_covers_the_45_cpv_divisions_with_level1_codes() -> None:
    assert len(cpv_division_to_proclass()) == 45
    assert all(code.endswith("0000") for code in cpv_division_to_proclass().values())


@pytest.mark.skipif(not PROCLASS_CSV.is_file(), reason="shared/data is not present")
def test_cross_walk_and_default_rules_name_real_proclass_codes() -> None:
    proclass = load_proclass(PROCLASS_CSV)
    headings = set(proclass["level1_code"].to_list())
    assert set(cpv_division_to_proclass().values()) <= headings
    cpv = pl.read_csv(SHARED_DATA / "classifications" / "cpv_2008_en.csv", infer_schema=False)
    divisions = set(cpv.filter(pl.col("level") == "division")["division"].to_list())
    assert set(cpv_division_to_proclass()) == divisions  # every division, and only divisions
    assert {rule.category_code for rule in DEFAULT_RULES} <= set(proclass["code"].to_list())


# --- stage 2: rules ---------------------------------------------------------------------------


def test_code_in_file_beats_rules_and_first_rule_wins() -> None:
    rules = rules_from_dicts(
        [
            {"pattern": "agency staff", "field": "description", "category_code": "261400"},
            {"pattern": "STAFF", "field": "description", "category_code": "261500"},
        ]
    )
    lines = ledger(
        [
            {"category_code": "341000", "description": "Agency Staff"},
            {"description": "Agency staff cover"},
            {"description": "staff training day"},
        ]
    )
    out = categorise(lines, proclass=PROCLASS, rules=rules)
    assert out["category_code"].to_list() == ["341000", "261400", "261500"]
    assert out["reason"].to_list() == [REASON_CODE_IN_FILE, "rule: agency staff", "rule: STAFF"]
    assert out["confidence"].to_list() == [1.0, 0.9, 0.9]


def test_editing_rules_reorders_and_round_trips_as_plain_data() -> None:
    records = rules_to_dicts(DEFAULT_RULES)
    assert rules_from_dicts(records) == DEFAULT_RULES
    lines = ledger([{"description": "Agency staff - interpreter"}])
    before = categorise(lines, proclass=PROCLASS)
    assert before["category_code"].to_list() == ["261400"]
    interpreting = [record for record in records if "interpret" in record["pattern"]]
    edited = rules_from_dicts(
        interpreting + [record for record in records if record not in interpreting]
    )
    after = categorise(lines, proclass=PROCLASS, rules=edited)
    assert after["category_code"].to_list() == ["261100"]


def test_rules_are_checked() -> None:
    with pytest.raises(CategorisingError, match="field"):
        Rule(pattern="x", field="department", category_code="261400")
    with pytest.raises(CategorisingError, match="regular expression"):
        Rule(pattern="(unclosed", field="description", category_code="261400")
    with pytest.raises(CategorisingError, match="category_code"):
        rules_from_dicts([{"pattern": "x", "field": "description"}])
    unknown = (Rule(pattern="x", field="description", category_code="999999"),)
    with pytest.raises(CategorisingError, match="999999"):
        categorise(ledger([{}]), proclass=PROCLASS, rules=unknown)


# --- stage 3: the model -----------------------------------------------------------------------


def test_model_decides_lines_without_code_or_rule_and_keeps_low_confidence_unclassified() -> None:
    model = small_model()
    lines = ledger(
        [
            {"description": "skip hire", "supplier_name": "Greenbin Waste Ltd"},
            {"description": "zzz qqq"},
        ]
    )
    out = categorise(lines, proclass=PROCLASS, rules=(), model=model)
    assert out["category_code"][0] == "180000"
    assert out["reason"][0] == REASON_MODEL
    assert out["best_guess_code"][0] == "180000"
    strict = SpendCategoryModel(**{**model.__dict__, "threshold": 1.0})
    unsure = categorise(lines, proclass=PROCLASS, rules=(), model=strict)
    assert unsure["category_code"].to_list() == [None, None]
    assert unsure["category_name"].to_list() == [UNCLASSIFIED_NAME] * 2
    assert unsure["reason"].to_list() == ["model: below threshold"] * 2
    assert unsure["best_guess_code"][0] == "180000"
    assert 0.0 < unsure["confidence"][0] < 1.0


def test_correction_changes_the_prediction_after_retraining() -> None:
    lines = training_lines()
    # A publisher coded its skip hire as stationery; the analyst corrects three of four lines.
    skips = ledger(
        [
            {"category_code": "341000", "description": "builders skip exchange", "supplier_name": s}
            for s in ["Skipco North", "Skipco North", "Skipco North", "Skipco North"]
        ]
    ).with_columns(pl.col("line_number") + 1000)
    combined = pl.concat([lines, skips])
    new_line = ledger([{"description": "builders skip exchange", "supplier_name": "Skipco North"}])

    before = train(combined, proclass=PROCLASS)
    assert before.predict(model_text(new_line).to_list())[0] == ["340000"]

    corrections = {1001: "182000", 1002: "182000", 1003: "182000"}
    after = train(combined, corrections, proclass=PROCLASS)
    assert after.corrections_used == 3
    assert after.predict(model_text(new_line).to_list())[0] == ["180000"]

    with pytest.raises(CategorisingError, match="unknown"):
        train(combined, {1001: "not a code"}, proclass=PROCLASS)


def test_save_and_load_give_the_same_predictions() -> None:
    model = small_model()
    texts = ["copier paper", "taxi to school", "licence", "", "waste"]
    restored = SpendCategoryModel.from_bytes(model.to_bytes())
    assert restored.predict(texts)[0] == model.predict(texts)[0]
    np.testing.assert_allclose(restored.predict(texts)[1], model.predict(texts)[1])
    buffer = io.BytesIO()
    joblib.dump({"not": "a model"}, buffer)
    with pytest.raises(CategorisingError):
        SpendCategoryModel.from_bytes(buffer.getvalue())


# --- every line comes out exactly once --------------------------------------------------------

CODES = st.sampled_from(["261400", "270000", "45000000-7", "72000000", "12345678", "x", "", None])
TEXTS = st.one_of(
    st.none(), st.text(max_size=20), st.sampled_from(["agency staff", "GAS", "paper"])
)
LINE = st.fixed_dictionaries(
    {"category_code": CODES, "expense_type": TEXTS, "description": TEXTS, "supplier_name": TEXTS}
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(LINE, max_size=12), use_model=st.booleans())
def test_every_line_comes_out_exactly_once(rows: list[dict[str, object]], use_model: bool) -> None:
    lines = ledger(rows)
    out = categorise(lines, proclass=PROCLASS, model=small_model() if use_model else None)
    assert out["line_number"].to_list() == lines["line_number"].to_list()
    assert out["category_code_in_file"].to_list() == lines["category_code"].to_list()
    assert out["reason"].null_count() == 0
    assert out["category_name"].null_count() == 0
    assert out["confidence"].is_between(0.0, 1.0).all()
    assert (out["category_code"].is_null() == (out["category_name"] == UNCLASSIFIED_NAME)).all()


# --- accuracy on a real ProClass-coded ledger ---------------------------------------------------


@pytest.mark.needs_shared
@pytest.mark.skipif(not TRAFFORD.is_file(), reason="shared/data/spend is not present")
def test_model_trained_on_trafford_predicts_held_out_lines() -> None:
    from infuse.procurement.importing import import_ledger

    proclass = load_proclass(PROCLASS_CSV)
    lines = pl.from_arrow(import_ledger(TRAFFORD).rows)
    assert isinstance(lines, pl.DataFrame)
    labels = level1_codes(lines["category_code"], proclass)
    labelled = lines.filter(labels.is_not_null())
    held_out = pl.Series(np.random.default_rng(0).random(labelled.height) < 0.2)
    model = train(labelled.filter(~held_out), proclass=proclass)
    test = labelled.filter(held_out)
    guesses, _ = model.predict(model_text(test).to_list())
    truth = level1_codes(test["category_code"], proclass).to_list()
    accuracy = float(np.mean([guess == true for guess, true in zip(guesses, truth, strict=True)]))
    # Measured 0.979 on this random 80/20 split (seed 0, 3,255 held-out lines, March 2025).
    # Lines repeat (same description and supplier), so this is in-distribution accuracy; with
    # whole suppliers held out it was 0.71. The bound leaves room for library changes.
    assert accuracy > 0.95
