"""Subject-independent splits: every kind keeps subjects whole, covers items, is reproducible."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest

from curation.splits import SplitError, SplitItem, SplitResult, make_split, normalize_spec

CLASSES = {"happy": 0.5, "sad": 0.3, "fear": 0.2}


def labelled_items(n_subjects: int = 40, items_per_subject: int = 4) -> list[SplitItem]:
    """Subjects whose items all share one class, classes in proportions 50/30/20 % of subjects.

    One class per subject is the hard case for stratification (a subject moves all its items),
    and it is how expression datasets often look (one posed emotion per recording session).
    """
    per_class = {label: round(share * n_subjects) for label, share in CLASSES.items()}
    labels = [label for label, count in per_class.items() for _ in range(count)]
    assert len(labels) == n_subjects
    ethnicities = ("a", "b", "c", "d")
    return [
        SplitItem(
            item_id=subject * 100 + take,
            subject=f"s{subject:02d}",
            label=labels[subject],
            attributes={"ethnicity": ethnicities[subject % 4], "source": f"db{subject % 3}"},
        )
        for subject in range(n_subjects)
        for take in range(items_per_subject)
    ]


ITEMS = labelled_items()
SUBJECT_OF = {item.item_id: item.subject for item in ITEMS}
LABEL_OF = {item.item_id: item.label for item in ITEMS}

SPECS: list[dict[str, Any]] = [
    {"kind": "kfold", "k": 5, "seed": 0},
    {"kind": "loso"},
    {"kind": "holdout", "test_ratio": 0.2, "seed": 0},
    {"kind": "group", "attribute": "ethnicity"},
    {"kind": "group", "attribute": "source"},
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: "-".join(map(str, spec.values())))
def test_no_subject_is_on_both_sides_of_a_fold(spec: dict[str, Any]) -> None:
    result = make_split(ITEMS, spec)
    assert result.folds
    for fold in result.folds:
        train_subjects = {SUBJECT_OF[item_id] for item_id in fold.train}
        test_subjects = {SUBJECT_OF[item_id] for item_id in fold.test}
        assert train_subjects.isdisjoint(test_subjects)
        assert set(fold.train_subjects) == train_subjects
        assert set(fold.test_subjects) == test_subjects
        # Both sides together are all the items, each once.
        assert sorted(fold.train + fold.test) == sorted(SUBJECT_OF)


@pytest.mark.parametrize("spec", [s for s in SPECS if s["kind"] != "holdout"])
def test_every_item_is_in_exactly_one_test_fold(spec: dict[str, Any]) -> None:
    result = make_split(ITEMS, spec)
    tested = Counter(item_id for fold in result.folds for item_id in fold.test)
    assert tested == dict.fromkeys(SUBJECT_OF, 1)


def test_stratified_kfold_keeps_class_proportions_within_ten_points() -> None:
    result = make_split(ITEMS, {"kind": "kfold", "k": 5, "seed": 3})
    assert result.spec == {
        "kind": "kfold",
        "k": 5,
        "seed": 3,
        "stratified": True,
        "splitter": "StratifiedGroupKFold",
    }
    # Tolerance: each fold's share of each class within +-0.10 of the overall share.
    tolerance = 0.10
    for fold in result.folds:
        counts = Counter(LABEL_OF[item_id] for item_id in fold.test)
        for label, share in CLASSES.items():
            assert abs(counts[label] / len(fold.test) - share) <= tolerance, (fold.index, label)


def test_kfold_falls_back_to_group_kfold_without_labels_and_says_why() -> None:
    unlabelled = [SplitItem(item.item_id, item.subject) for item in ITEMS]
    result = make_split(unlabelled, {"kind": "kfold", "k": 4})
    assert result.spec["splitter"] == "GroupKFold"
    assert result.spec["stratified"] is False
    assert result.spec["not_stratified_because"] == "some items have no label"
    assert result.spec["seed"] == 0
    assert len(result.folds) == 4
    assert sorted(len(fold.test_subjects) for fold in result.folds) == [10, 10, 10, 10]


def test_kfold_is_not_stratified_when_a_class_has_fewer_subjects_than_k() -> None:
    items = [*ITEMS, SplitItem("rare", "s99", "disgust")]
    result = make_split(items, {"kind": "kfold", "k": 5, "seed": 0})
    assert result.spec["splitter"] == "GroupKFold"
    assert "disgust" in result.spec["not_stratified_because"]


@pytest.mark.parametrize("spec", [s for s in SPECS if "seed" in s])
def test_same_seed_same_split_in_any_input_order_and_another_seed_differs(
    spec: dict[str, Any],
) -> None:
    shuffled = ITEMS.copy()
    random.Random(1).shuffle(shuffled)
    first = make_split(ITEMS, spec)
    assert make_split(shuffled, spec) == first
    other = make_split(ITEMS, {**spec, "seed": spec["seed"] + 1})
    assert [fold.test for fold in other.folds] != [fold.test for fold in first.folds]


def test_loso_gives_one_fold_per_subject() -> None:
    result = make_split(ITEMS, {"kind": "loso"})
    assert len(result.folds) == 40
    assert [fold.test_subjects for fold in result.folds] == [(f"s{i:02d}",) for i in range(40)]
    assert [fold.held_out for fold in result.folds] == [f"s{i:02d}" for i in range(40)]
    assert result.folds[0].test == (0, 1, 2, 3)
    assert result.spec == {"kind": "loso", "splitter": "LeaveOneGroupOut", "group_by": "subject"}


@pytest.mark.parametrize(("attribute", "values"), [("ethnicity", 4), ("source", 3)])
def test_group_split_gives_one_fold_per_attribute_value(attribute: str, values: int) -> None:
    result = make_split(ITEMS, {"kind": "group", "attribute": attribute})
    assert len(result.folds) == values
    assert result.spec["group_by"] == attribute
    by_subject = {item.subject: item.attributes[attribute] for item in ITEMS}
    for fold in result.folds:
        assert {by_subject[subject] for subject in fold.test_subjects} == {fold.held_out}
        assert fold.held_out not in {by_subject[subject] for subject in fold.train_subjects}


def test_holdout_takes_the_ratio_of_subjects() -> None:
    result = make_split(ITEMS, {"kind": "holdout", "test_ratio": 0.25, "seed": 9})
    (fold,) = result.folds
    assert len(fold.test_subjects) == 10
    assert len(fold.train_subjects) == 30
    assert result.spec["splitter"] == "GroupShuffleSplit"


def test_result_is_json_serialisable() -> None:
    result = make_split(ITEMS[:12], {"kind": "kfold", "k": 3, "seed": 0})
    data = json.loads(json.dumps(result.to_jsonable()))
    assert data["n_items"] == 12
    assert data["n_subjects"] == 3
    assert data["spec"]["k"] == 3
    assert [len(fold["test_subjects"]) for fold in data["folds"]] == [1, 1, 1]
    assert set(data["folds"][0]) == {
        "index",
        "held_out",
        "train",
        "test",
        "train_subjects",
        "test_subjects",
    }
    assert isinstance(result, SplitResult)


def test_normalize_spec_fills_defaults() -> None:
    assert normalize_spec({"kind": "kfold"}) == {"kind": "kfold", "k": 5, "seed": 0}
    assert normalize_spec({"kind": "holdout"}) == {"kind": "holdout", "test_ratio": 0.2, "seed": 0}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "kfold", "k": 1}, r"k must be an integer of at least 2"),
        ({"kind": "kfold", "k": 2.5}, r"k must be an integer"),
        ({"kind": "kfold", "k": True}, r"k must be an integer"),
        ({"kind": "kfold", "k": 41}, r"k = 41 is more than the 40 subjects"),
        ({"kind": "kfold", "k": 5, "seed": -1}, r"seed must be an integer"),
        ({"kind": "kfold", "folds": 5}, r"Unknown key\(s\) folds"),
        ({"kind": "holdout", "test_ratio": 0}, r"strictly between 0 and 1"),
        ({"kind": "holdout", "test_ratio": 1.0}, r"strictly between 0 and 1"),
        ({"kind": "holdout", "test_ratio": "0.2"}, r"strictly between 0 and 1"),
        ({"kind": "holdout", "test_ratio": 0.99}, r"leaves no subject for training"),
        ({"kind": "group"}, r"needs an attribute name"),
        ({"kind": "group", "attribute": "age"}, r"40 subject\(s\) have no 'age' attribute"),
        ({"kind": "random"}, r"Split kind must be one of"),
        ({}, r"Split kind must be one of"),
    ],
)
def test_bad_specs_raise_split_error(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(SplitError, match=message):
        make_split(ITEMS, spec)


def test_bad_items_raise_split_error() -> None:
    with pytest.raises(SplitError, match="no items"):
        make_split([], {"kind": "loso"})
    with pytest.raises(SplitError, match="at least two subjects"):
        make_split([SplitItem(1, "s1"), SplitItem(2, "s1")], {"kind": "loso"})
    with pytest.raises(SplitError, match="repeated: 1"):
        make_split([SplitItem(1, "s1"), SplitItem(1, "s2")], {"kind": "loso"})
    one_group = [SplitItem(i, f"s{i}", attributes={"source": "casme2"}) for i in range(3)]
    with pytest.raises(SplitError, match="one group only"):
        make_split(one_group, {"kind": "group", "attribute": "source"})
    split_subject = [
        SplitItem(1, "s1", attributes={"source": "a"}),
        SplitItem(2, "s1", attributes={"source": "b"}),
        SplitItem(3, "s2", attributes={"source": "b"}),
    ]
    with pytest.raises(SplitError, match="two values of 'source'"):
        make_split(split_subject, {"kind": "group", "attribute": "source"})
    assert issubclass(SplitError, ValueError)
