"""Allocation: exact counts, reproducibility, auditability, balance, and the design rules."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infuse.adaption import randomisation as rz

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def make_units(count: int, *, seed: int = 0, strata_levels: int = 3) -> pl.DataFrame:
    """Units with string ids, two stratification columns and baseline covariates."""
    rng = np.random.Generator(np.random.PCG64(seed))
    return pl.DataFrame(
        {
            "unit_id": [f"U{index:06d}" for index in range(count)],
            "area": rng.integers(0, strata_levels, count),
            "tenure": rng.choice(["owner", "council", "private"], count),
            "age": rng.normal(45, 12, count),
            "enrolled": rng.permutation(count),
        }
    )


ratios = st.sampled_from([(1, 1), (2, 1), (1, 2, 1), (3, 2)])


# ---------------------------------------------------------------------- simple


@PROPERTY_SETTINGS
@given(count=st.integers(min_value=1, max_value=400), ratio=ratios, seed=st.integers(0, 2**64))
def test_simple_counts_follow_the_ratio(count: int, ratio: tuple[int, ...], seed: int) -> None:
    # The random allocation rule (Rosenberger & Lachin 2016, 3.3): totals fixed by the ratio,
    # exact when the ratio total divides the units; otherwise the leftover units take part of one
    # more ratio pattern, so an arm of weight w gets between q w and (q + 1) w units.
    arms = tuple(f"arm {index}" for index in range(len(ratio)))
    allocation = rz.randomise_simple(
        make_units(count), id_column="unit_id", seed=seed, arms=arms, ratio=ratio
    )
    counts = allocation.arm_counts()
    assert sum(counts.values()) == count
    whole_patterns, leftover = divmod(count, sum(ratio))
    for arm, weight in zip(arms, ratio, strict=True):
        if leftover == 0:
            assert counts[arm] == count * weight // sum(ratio)
        else:
            assert whole_patterns * weight <= counts[arm] <= (whole_patterns + 1) * weight


def test_every_unit_is_allocated_exactly_once() -> None:
    units = make_units(1000)
    for allocation in (
        rz.randomise_simple(units, id_column="unit_id", seed=1),
        rz.randomise_permuted_blocks(units, id_column="unit_id", seed=1),
        rz.randomise_stratified(units, id_column="unit_id", strata_columns=["area"], seed=1),
    ):
        table = allocation.table
        assert table.height == units.height
        assert table.get_column("unit_id").n_unique() == units.height
        assert set(table.get_column("unit_id")) == set(units.get_column("unit_id"))
        assert table.get_column("arm").null_count() == 0


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 2**128 - 1))
def test_same_seed_same_allocation_and_row_order_does_not_matter(seed: int) -> None:
    units = make_units(60)
    shuffled = units.sample(fraction=1.0, shuffle=True, seed=seed % 2**32)
    first = rz.randomise_stratified(units, id_column="unit_id", strata_columns=["area"], seed=seed)
    again = rz.randomise_stratified(
        shuffled, id_column="unit_id", strata_columns=["area"], seed=seed
    )
    assert first.table.equals(again.table)
    assert first.record == again.record


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 2**63))
def test_a_different_seed_gives_a_different_allocation(seed: int) -> None:
    # With 60 units there are C(60, 30) ~ 1.2e17 balanced allocations; two seeds giving the same
    # one is practically impossible.
    units = make_units(60)
    first = rz.randomise_simple(units, id_column="unit_id", seed=seed)
    second = rz.randomise_simple(units, id_column="unit_id", seed=seed + 1)
    assert not first.table.equals(second.table)
    assert first.record.allocation_sha256 != second.record.allocation_sha256


def test_known_allocation_is_stable_across_releases() -> None:
    # Golden value: if this changes, an old allocation can no longer be reproduced, so the
    # change must bump ALGORITHM_VERSION. Uses only Generator.random(), stable under NEP 19.
    # Recorded from version 1.0.0 with NumPy 2.4.
    units = pl.DataFrame({"id": list(range(1, 13))})
    allocation = rz.randomise_simple(units, id_column="id", seed=2024)
    c, i = "control", "intervention"
    assert allocation.table.get_column("arm").to_list() == [c, c, i, i, i, c, c, i, c, i, i, c]
    assert allocation.record.algorithm_version == "1.0.0" == rz.ALGORITHM_VERSION
    assert (
        allocation.record.allocation_sha256
        == "88ca970bd5784436a5c128beb63ee0fa85a3d61efb15749e687562ec3abba689"
    )


# ---------------------------------------------------------------------- permuted blocks


@PROPERTY_SETTINGS
@given(
    count=st.integers(min_value=1, max_value=300),
    ratio=ratios,
    multiples=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    seed=st.integers(0, 2**64),
)
def test_permuted_blocks_balance_within_every_block(
    count: int, ratio: tuple[int, ...], multiples: list[int], seed: int
) -> None:
    # Matts & Lachin (1988): each complete block holds the ratio pattern exactly, so totals are
    # exact for whole blocks and within one block size overall.
    pattern = sum(ratio)
    block_sizes = [pattern * multiple for multiple in multiples]
    arms = tuple(f"arm {index}" for index in range(len(ratio)))
    allocation = rz.randomise_permuted_blocks(
        make_units(count),
        id_column="unit_id",
        seed=seed,
        arms=arms,
        ratio=ratio,
        block_sizes=block_sizes,
    )
    table = allocation.table
    per_block = table.group_by("block", "block_size", "arm").len()
    filled = table.group_by("block").agg(pl.len().alias("filled"), pl.first("block_size"))
    complete = filled.filter(pl.col("filled") == pl.col("block_size")).get_column("block")
    complete_blocks = per_block.filter(pl.col("block").is_in(complete.implode()))
    for _, size, arm, number in complete_blocks.iter_rows():
        assert number == size * ratio[arms.index(arm)] // pattern
    assert set(table.get_column("block_size")) <= set(block_sizes)
    counts = allocation.arm_counts()
    for arm, weight in zip(arms, ratio, strict=True):
        assert abs(counts[arm] - count * weight / pattern) <= max(block_sizes)
    if len(set(block_sizes)) == 1 and count % block_sizes[0] == 0:
        assert all(
            counts[arm] == count * weight // pattern
            for arm, weight in zip(arms, ratio, strict=True)
        )


def test_blocks_follow_the_order_column() -> None:
    # Blocks fill in enrolment order: the first four enrolled form block 1.
    units = make_units(40)
    allocation = rz.randomise_permuted_blocks(
        units, id_column="unit_id", seed=3, block_sizes=[4], order_column="enrolled"
    )
    first_block = allocation.table.filter(pl.col("block") == 1).get_column("enrolled")
    assert sorted(first_block.to_list()) == [0, 1, 2, 3]


def test_random_block_sizes_are_used() -> None:
    allocation = rz.randomise_permuted_blocks(
        make_units(2000), id_column="unit_id", seed=9, block_sizes=[2, 4, 6]
    )
    assert set(allocation.table.get_column("block_size")) == {2, 4, 6}


# ---------------------------------------------------------------------- stratified


@PROPERTY_SETTINGS
@given(
    count=st.integers(min_value=1, max_value=500),
    levels=st.integers(min_value=1, max_value=6),
    ratio=ratios,
    seed=st.integers(0, 2**64),
)
def test_stratified_counts_within_one_block_per_stratum(
    count: int, levels: int, ratio: tuple[int, ...], seed: int
) -> None:
    # Kernan et al. (1999): within each stratum the imbalance is at most one block.
    pattern = sum(ratio)
    arms = tuple(f"arm {index}" for index in range(len(ratio)))
    block_sizes = [pattern, 2 * pattern]
    units = make_units(count, seed=seed % 1000, strata_levels=levels)
    allocation = rz.randomise_stratified(
        units,
        id_column="unit_id",
        strata_columns=["area", "tenure"],
        seed=seed,
        arms=arms,
        ratio=ratio,
        block_sizes=block_sizes,
    )
    table = allocation.table
    assert table.height == count
    strata_sizes = table.group_by("area", "tenure").len().rename({"len": "size"})
    counts = table.group_by("area", "tenure", "arm").len().join(strata_sizes, on=["area", "tenure"])
    for _, _, arm, number, size in counts.iter_rows():
        assert abs(number - size * ratio[arms.index(arm)] / pattern) <= max(block_sizes)
    # Strata are distinct combinations; one stratum code per combination.
    assert (
        table.group_by("stratum").agg(pl.struct("area", "tenure").n_unique()).to_series(1).max()
        == 1
    )


def test_stratified_accepts_arrow_and_records_columns() -> None:
    units = make_units(100)
    allocation = rz.randomise_stratified(
        units.to_arrow(), id_column="unit_id", strata_columns=["tenure", "area"], seed=5
    )
    assert isinstance(units.to_arrow(), pa.Table)
    assert allocation.record.columns_used == ("unit_id", "tenure", "area")
    assert allocation.record.algorithm == "stratified-permuted-blocks"
    assert allocation.record.parameters["block_sizes"] == [4]


# ---------------------------------------------------------------------- audit trail


def test_input_hash_is_the_documented_canonical_form() -> None:
    # Recompute the digest from the documented format with the standard library only.
    units = pl.DataFrame({"id": [3, 1, 2], "area": ["b", "a", None]})
    text = "infuse-canonical-csv-v1\nid,area\n1,a\n2,\n3,b\n"
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert rz.canonical_input_sha256(units, id_column="id", columns=["area"]) == expected
    allocation = rz.randomise_stratified(units, id_column="id", strata_columns=["area"], seed=1)
    assert allocation.record.input_sha256 == expected


def test_verify_allocation_detects_tampering_and_changed_input() -> None:
    units = make_units(200)
    allocation = rz.randomise_stratified(
        units, id_column="unit_id", strata_columns=["area"], seed=77, block_sizes=[2, 4]
    )
    assert rz.verify_allocation(units, allocation)
    assert rz.verify_allocation(units.reverse(), allocation)
    changed_input = units.with_columns(
        pl.when(pl.col("unit_id") == "U000000").then(99).otherwise(pl.col("area")).alias("area")
    )
    assert not rz.verify_allocation(changed_input, allocation)
    # Swap one unit's arm in the table but keep the record: the allocation digest no longer fits.
    other_arm = {"control": "intervention", "intervention": "control"}
    flipped = allocation.table.with_columns(
        pl.when(pl.col("unit_id") == "U000000")
        .then(pl.col("arm").replace_strict(other_arm))
        .otherwise(pl.col("arm"))
        .alias("arm")
    )
    assert not rz.verify_allocation(units, rz.Allocation(table=flipped, record=allocation.record))
    # A record claiming another seed does not reproduce the allocation either.
    wrong_seed = dataclasses.replace(allocation.record, seed=78)
    assert not rz.verify_allocation(units, rz.Allocation(table=allocation.table, record=wrong_seed))


def test_record_serialises_to_json() -> None:
    allocation = rz.randomise_simple(make_units(10), id_column="unit_id", seed=1)
    decoded = json.loads(json.dumps(allocation.as_dict()))
    assert decoded["record"]["seed"] == 1
    assert decoded["record"]["bit_generator"] == "PCG64"
    assert len(decoded["allocation"]) == 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seed": -1}, "seed"),
        ({"ratio": (1,), "arms": ("only",)}, "two arms"),
        ({"ratio": (1, 0)}, "at least 1"),
        ({"arms": ("a", "a")}, "differ"),
    ],
)
def test_bad_settings_are_explained(change: dict[str, object], message: str) -> None:
    settings_used: dict[str, object] = {"seed": 1, "arms": ("a", "b"), "ratio": (1, 1)}
    settings_used.update(change)
    with pytest.raises(rz.RandomisationError, match=message):
        rz.randomise_simple(make_units(10), id_column="unit_id", **settings_used)  # type: ignore[arg-type]


def test_duplicate_ids_and_bad_block_sizes_are_explained() -> None:
    duplicated = pl.DataFrame({"id": [1, 2, 2]})
    with pytest.raises(rz.RandomisationError, match="unique"):
        rz.randomise_simple(duplicated, id_column="id", seed=1)
    with pytest.raises(rz.RandomisationError, match="multiple of the ratio"):
        rz.randomise_permuted_blocks(make_units(10), id_column="unit_id", seed=1, block_sizes=[3])


# ---------------------------------------------------------------------- cluster


def make_people_in_schools(people: int, schools: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.Generator(np.random.PCG64(seed))
    school = rng.integers(0, schools, people)
    school[:schools] = np.arange(schools)  # every school has at least one pupil
    return pl.DataFrame(
        {
            "pupil": [f"P{index:05d}" for index in range(people)],
            "school": [f"S{value:03d}" for value in school],
            "authority": ["north" if value % 3 else "south" for value in school],
        }
    )


@PROPERTY_SETTINGS
@given(
    schools=st.integers(min_value=2, max_value=40),
    ratio=ratios,
    stratified=st.booleans(),
    seed=st.integers(0, 2**64),
)
def test_cluster_members_share_an_arm(
    schools: int, ratio: tuple[int, ...], stratified: bool, seed: int
) -> None:
    # Hayes & Moulton (2017) ch. 6: the cluster is the unit of randomisation.
    arms = tuple(f"arm {index}" for index in range(len(ratio)))
    units = make_people_in_schools(schools * 5, schools, seed % 1000)
    allocation = rz.randomise_clusters(
        units,
        id_column="pupil",
        cluster_column="school",
        seed=seed,
        arms=arms,
        ratio=ratio,
        strata_columns=["authority"] if stratified else [],
    )
    table = allocation.table
    assert table.height == units.height
    assert table.group_by("school").agg(pl.col("arm").n_unique()).get_column("arm").max() == 1
    cluster_counts = dict(table.unique("school").group_by("arm").len().iter_rows())
    pattern = sum(ratio)
    whole_patterns = schools // pattern
    for arm, weight in zip(arms, ratio, strict=True):
        number = cluster_counts.get(arm, 0)
        if stratified:  # two strata, default block 2 x pattern: one block's slack in each
            assert abs(number - schools * weight / pattern) <= 2 * 2 * pattern
        else:
            assert whole_patterns * weight <= number <= (whole_patterns + 1) * weight
    assert rz.verify_allocation(units, allocation)


def test_cluster_strata_must_be_constant_within_a_cluster() -> None:
    units = pl.DataFrame({"id": [1, 2, 3, 4], "cluster": ["a", "a", "b", "b"], "x": [1, 2, 1, 1]})
    with pytest.raises(rz.RandomisationError, match="same for every unit"):
        rz.randomise_clusters(
            units, id_column="id", cluster_column="cluster", seed=1, strata_columns=["x"]
        )


# ---------------------------------------------------------------------- stepped wedge


@PROPERTY_SETTINGS
@given(
    clusters=st.integers(min_value=2, max_value=30),
    steps=st.integers(min_value=1, max_value=8),
    step_length=st.integers(min_value=1, max_value=3),
    seed=st.integers(0, 2**64),
)
def test_stepped_wedge_every_cluster_crosses_once_and_stays_treated(
    clusters: int, steps: int, step_length: int, seed: int
) -> None:
    # Hussey & Hughes (2007), Hemming et al. (2015): a baseline period in control, then each
    # sequence crosses over once and stays treated.
    if clusters < steps:
        steps = clusters
    periods = 1 + steps * step_length
    units = pl.DataFrame({"clinic": [f"C{index:02d}" for index in range(clusters)]})
    allocation = rz.randomise_stepped_wedge(
        units, id_column="clinic", number_of_periods=periods, number_of_sequences=steps, seed=seed
    )
    matrix = rz.stepped_wedge_design_matrix(allocation)
    assert matrix.shape == (clusters, periods)
    assert (matrix[:, 0] == 0).all()
    assert (matrix[:, -1] == 1).all()
    changes = np.diff(matrix, axis=1)
    assert ((changes == 0) | (changes == 1)).all()  # never switches back
    assert (changes.sum(axis=1) == 1).all()  # exactly one crossover per cluster
    sizes = np.bincount(allocation.table.get_column("sequence").to_numpy())[1:]
    assert sizes.max() - sizes.min() <= 1
    assert rz.verify_allocation(units, allocation)


def test_stepped_wedge_units_inherit_their_cluster_sequence() -> None:
    units = make_people_in_schools(300, 12)
    allocation = rz.randomise_stepped_wedge(
        units, id_column="pupil", cluster_column="school", number_of_periods=5, seed=4
    )
    table = allocation.table
    assert table.height == 300
    assert table.group_by("school").agg(pl.col("sequence").n_unique()).to_series(1).max() == 1
    assert allocation.schedule is not None
    assert allocation.schedule.height == 12 * 5
    first = table.group_by("school").agg(pl.first("first_treated_period")).sort("school")
    matrix = rz.stepped_wedge_design_matrix(allocation)
    assert (matrix.argmax(axis=1) + 1 == first.get_column("first_treated_period").to_numpy()).all()


# ---------------------------------------------------------------------- balance


def test_balance_table_by_hand() -> None:
    # Austin (2009) eqs 1-2. Numeric: control 1, 2, 3 (mean 2, sd 1); treated 2, 4, 6 (mean 4,
    # sd 2): d = (4 - 2) / sqrt((1 + 4) / 2) = 1.264911. Categorical: "yes" 1/3 vs 2/3:
    # d = (2/3 - 1/3) / sqrt((2/9 + 2/9) / 2) = 0.707107.
    frame = pl.DataFrame(
        {
            "arm": ["control"] * 3 + ["treated"] * 3,
            "score": [1.0, 2.0, 3.0, 2.0, 4.0, 6.0],
            "answer": ["yes", "no", "no", "yes", "yes", "no"],
        }
    )
    table = rz.balance_table(frame, covariates=["score", "answer"])
    assert table.columns == list(rz.BALANCE_COLUMNS)
    treated_score = table.filter((pl.col("covariate") == "score") & (pl.col("arm") == "treated"))
    assert treated_score["mean"][0] == pytest.approx(4.0)
    assert treated_score["sd"][0] == pytest.approx(2.0)
    assert treated_score["standardised_difference"][0] == pytest.approx(2 / math.sqrt(2.5))
    yes_treated = table.filter(
        (pl.col("covariate") == "answer")
        & (pl.col("level") == "yes")
        & (pl.col("arm") == "treated")
    )
    assert yes_treated["proportion"][0] == pytest.approx(2 / 3)
    assert yes_treated["standardised_difference"][0] == pytest.approx(0.707107, abs=1e-6)
    reference_rows = table.filter(pl.col("arm") == "control")
    assert reference_rows["standardised_difference"].null_count() == reference_rows.height


def test_balance_after_stratified_randomisation_is_good() -> None:
    # Stratifying on area makes area's standardised differences essentially zero.
    units = make_units(5000)
    allocation = rz.randomise_stratified(
        units, id_column="unit_id", strata_columns=["area"], seed=8
    )
    joined = units.join(allocation.table.select("unit_id", "arm"), on="unit_id")
    table = rz.balance_table(
        joined, covariates=["age", "area", "tenure"], categorical_covariates=["area"]
    )
    area = table.filter((pl.col("covariate") == "area") & (pl.col("arm") == "intervention"))
    assert area["standardised_difference"].abs().to_numpy().max() < 0.01
    assert np.nanmax(table["standardised_difference"].abs().to_numpy()) < 0.1
