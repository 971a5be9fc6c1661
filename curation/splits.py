"""Subject-independent splits of a release's items into train and test folds.

Every split is made by one of scikit-learn's grouped splitters, with the subject as the group
(or, for ``"group"``, the value of a subject attribute, each subject taken whole), so no subject
is ever on both sides of a fold. The splitter actually used is written into the normalized spec.

Specs (the design's contract):

* ``{"kind": "kfold", "k": 5, "seed": 0}``: ``StratifiedGroupKFold(k, shuffle=True,
  random_state=seed)`` when every item has a label and every class occurs in at least ``k``
  subjects (so each fold can hold every class); otherwise ``GroupKFold(k, shuffle=True,
  random_state=seed)``. The spec records ``"splitter"``, ``"stratified"`` and, when not
  stratified, ``"not_stratified_because"``.
* ``{"kind": "loso"}``: ``LeaveOneGroupOut`` on the subject; one fold per subject.
* ``{"kind": "holdout", "test_ratio": 0.2, "seed": 0}``: ``GroupShuffleSplit(n_splits=1,
  test_size=test_ratio, random_state=seed)``; the ratio is a share of *subjects* (rounded up
  by scikit-learn), not of items.
* ``{"kind": "group", "attribute": "ethnicity"}``: ``LeaveOneGroupOut`` on the attribute's value;
  one fold per value. ``"attribute": "source"`` is leave-one-database-out.

``k`` defaults to 5, ``seed`` to 0 and ``test_ratio`` to 0.2; the normalized spec holds the values
used. Items are sorted (by subject, then item id) before splitting, so the same items in any
order with the same seed give the same split.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

ItemId = int | str

SPLIT_KINDS = ("kfold", "loso", "holdout", "group")
DEFAULT_K = 5
DEFAULT_SEED = 0
DEFAULT_TEST_RATIO = 0.2
_ALLOWED_KEYS: dict[str, frozenset[str]] = {
    "kfold": frozenset({"kind", "k", "seed"}),
    "loso": frozenset({"kind"}),
    "holdout": frozenset({"kind", "test_ratio", "seed"}),
    "group": frozenset({"kind", "attribute"}),
}
# numpy's legacy random state (what scikit-learn's random_state feeds) takes 0 <= seed < 2**32.
_MAX_SEED = 2**32 - 1


class SplitError(ValueError):
    """A split spec that is malformed or that cannot be applied to the given items."""


@dataclass(frozen=True)
class SplitItem:
    """One item to split (a video or a clip) and the subject it shows.

    ``attributes`` are the subject's attributes (``"ethnicity"``, ``"sex"``, ...) and the
    source dataset under ``"source"``; every item of a subject must carry the same value of the
    attribute a ``"group"`` split uses.
    """

    item_id: ItemId
    subject: str
    label: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fold:
    """Fold ``index``: item ids and subjects on each side, each sorted as the items are.

    ``held_out`` names what the test side is for ``loso`` (the subject) and ``group`` (the
    attribute value); it is None for ``kfold`` and ``holdout``.
    """

    index: int
    train: tuple[ItemId, ...]
    test: tuple[ItemId, ...]
    train_subjects: tuple[str, ...]
    test_subjects: tuple[str, ...]
    held_out: str | None = None

    def to_jsonable(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "held_out": self.held_out,
            "train": list(self.train),
            "test": list(self.test),
            "train_subjects": list(self.train_subjects),
            "test_subjects": list(self.test_subjects),
        }


@dataclass(frozen=True)
class SplitResult:
    """A split: its normalized spec (with the seed and the splitter used) and its folds."""

    spec: dict[str, Any]
    folds: tuple[Fold, ...]
    n_items: int
    n_subjects: int

    def to_jsonable(self) -> dict[str, Any]:
        """Plain JSON types only: what a release stores and exports."""
        return {
            "spec": dict(self.spec),
            "n_items": self.n_items,
            "n_subjects": self.n_subjects,
            "folds": [fold.to_jsonable() for fold in self.folds],
        }


# -- specs -----------------------------------------------------------------------------------


def _sklearn() -> ModuleType:
    """scikit-learn's ``model_selection``, imported when a split is made: importing it costs
    about 0.7 s of CPU, which every web and worker process would otherwise pay as it starts."""
    from sklearn import model_selection

    return model_selection


def normalize_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Check a spec's shape and fill in defaults, without looking at any items.

    Raises :class:`SplitError` naming the problem: an unknown kind or key, ``k < 2``, a ratio
    outside ``(0, 1)``, a seed that is not an integer in ``[0, 2**32)``, a missing attribute.
    Checks that need the items (``k`` against the number of subjects, ...) are made by
    :func:`make_split`.
    """
    if not isinstance(spec, Mapping):
        raise SplitError(f"A split spec must be an object, got {type(spec).__name__}.")
    kind = spec.get("kind")
    if kind not in SPLIT_KINDS:
        raise SplitError(f"Split kind must be one of {', '.join(SPLIT_KINDS)}; got {kind!r}.")
    unknown = sorted(set(spec) - _ALLOWED_KEYS[kind])
    if unknown:
        allowed = ", ".join(sorted(_ALLOWED_KEYS[kind]))
        raise SplitError(f"Unknown key(s) {', '.join(unknown)} for a {kind} split ({allowed}).")
    if kind == "kfold":
        k = spec.get("k", DEFAULT_K)
        if not _is_int(k) or k < 2:
            raise SplitError(f"k must be an integer of at least 2, got {k!r}.")
        return {"kind": kind, "k": k, "seed": _seed(spec)}
    if kind == "holdout":
        ratio = spec.get("test_ratio", DEFAULT_TEST_RATIO)
        if isinstance(ratio, bool) or not isinstance(ratio, float | int) or not 0 < ratio < 1:
            raise SplitError(f"test_ratio must be a number strictly between 0 and 1: {ratio!r}.")
        return {"kind": kind, "test_ratio": float(ratio), "seed": _seed(spec)}
    if kind == "group":
        attribute = spec.get("attribute")
        if not isinstance(attribute, str) or not attribute:
            raise SplitError(f"A group split needs an attribute name, got {attribute!r}.")
        return {"kind": kind, "attribute": attribute}
    return {"kind": kind}


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _seed(spec: Mapping[str, Any]) -> int:
    seed = spec.get("seed", DEFAULT_SEED)
    if not _is_int(seed) or not 0 <= seed <= _MAX_SEED:
        raise SplitError(f"seed must be an integer in [0, {_MAX_SEED}], got {seed!r}.")
    return int(seed)


# -- splitting -------------------------------------------------------------------------------


def make_split(items: Sequence[SplitItem], spec: Mapping[str, Any]) -> SplitResult:
    """Split ``items`` as ``spec`` says; deterministic for a given set of items and spec.

    Raises :class:`SplitError` for a bad spec or one these items cannot satisfy: no items,
    duplicate item ids, fewer than two subjects (or attribute values), ``k`` above the number
    of subjects, a ratio that leaves one side without subjects, an attribute some subject lacks
    or holds with two values.
    """
    normalized = normalize_spec(spec)
    ordered = _sorted_items(items)
    subjects = np.array([item.subject for item in ordered], dtype=object)
    n_subjects = len(set(subjects.tolist()))
    if n_subjects < 2:
        raise SplitError(f"A split needs at least two subjects; these items have {n_subjects}.")

    kind = normalized["kind"]
    held_out: list[str] | None = None
    if kind == "kfold":
        splits = _kfold(ordered, subjects, n_subjects, normalized)
    elif kind == "loso":
        normalized["splitter"] = "LeaveOneGroupOut"
        normalized["group_by"] = "subject"
        splits = list(_sklearn().LeaveOneGroupOut().split(subjects, groups=subjects))
        held_out = [str(subjects[test[0]]) for _, test in splits]
    elif kind == "holdout":
        splits = _holdout(subjects, n_subjects, normalized)
    else:
        values = _attribute_values(ordered, normalized["attribute"])
        normalized["splitter"] = "LeaveOneGroupOut"
        normalized["group_by"] = normalized["attribute"]
        splits = list(_sklearn().LeaveOneGroupOut().split(values, groups=values))
        held_out = [str(values[test[0]]) for _, test in splits]

    folds = tuple(
        _fold(index, ordered, subjects, train, test, held_out[index] if held_out else None)
        for index, (train, test) in enumerate(splits)
    )
    return SplitResult(spec=normalized, folds=folds, n_items=len(ordered), n_subjects=n_subjects)


def _sorted_items(items: Sequence[SplitItem]) -> list[SplitItem]:
    if not items:
        raise SplitError("There are no items to split.")
    counts = Counter(item.item_id for item in items)
    duplicates = sorted((str(item_id) for item_id, n in counts.items() if n > 1))
    if duplicates:
        raise SplitError(f"Item ids must be unique; repeated: {', '.join(duplicates[:5])}.")
    # Ids are ints or strings: sort ints before strings so that mixed ids never compare.
    return sorted(
        items, key=lambda item: (item.subject, isinstance(item.item_id, str), item.item_id)
    )


Indices = npt.NDArray[np.intp]


def _kfold(
    items: list[SplitItem],
    subjects: npt.NDArray[np.object_],
    n_subjects: int,
    spec: dict[str, Any],
) -> list[tuple[Indices, Indices]]:
    k, seed = spec["k"], spec["seed"]
    if k > n_subjects:
        raise SplitError(f"k = {k} is more than the {n_subjects} subjects: a fold would be empty.")
    reason = _why_not_stratified(items, k)
    spec["stratified"] = reason is None
    if reason is None:
        spec["splitter"] = "StratifiedGroupKFold"
        labels = np.array([item.label for item in items], dtype=object)
        splitter = _sklearn().StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        return list(splitter.split(subjects, labels, groups=subjects))
    spec["splitter"] = "GroupKFold"
    spec["not_stratified_because"] = reason
    group_splitter = _sklearn().GroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(group_splitter.split(subjects, groups=subjects))


def _why_not_stratified(items: list[SplitItem], k: int) -> str | None:
    """Why class stratification cannot be used, or None when it can."""
    if any(item.label is None for item in items):
        return "some items have no label"
    subjects_per_class: dict[str, set[str]] = {}
    for item in items:
        assert item.label is not None
        subjects_per_class.setdefault(item.label, set()).add(item.subject)
    if len(subjects_per_class) < 2:
        return "there is only one class"
    scarce = sorted(label for label, found in subjects_per_class.items() if len(found) < k)
    if scarce:
        return f"class(es) {', '.join(scarce)} occur in fewer than k = {k} subjects"
    return None


def _holdout(
    subjects: npt.NDArray[np.object_], n_subjects: int, spec: dict[str, Any]
) -> list[tuple[Indices, Indices]]:
    ratio = spec["test_ratio"]
    # scikit-learn takes ceil(ratio * n) groups for the test side.
    n_test = math.ceil(ratio * n_subjects)
    if n_test >= n_subjects:
        raise SplitError(
            f"test_ratio {ratio} of {n_subjects} subjects leaves no subject for training."
        )
    spec["splitter"] = "GroupShuffleSplit"
    splitter = _sklearn().GroupShuffleSplit(n_splits=1, test_size=ratio, random_state=spec["seed"])
    return list(splitter.split(subjects, groups=subjects))


def _attribute_values(items: list[SplitItem], attribute: str) -> npt.NDArray[np.object_]:
    """Each item's value of the subject attribute; every subject must hold exactly one value."""
    value_of: dict[str, str] = {}
    missing: set[str] = set()
    for item in items:
        value = item.attributes.get(attribute)
        if value is None or value == "":
            missing.add(item.subject)
            continue
        known = value_of.setdefault(item.subject, value)
        if known != value:
            raise SplitError(
                f"Subject {item.subject} has two values of {attribute!r} ({known!r} and "
                f"{value!r}); a subject must stay whole."
            )
    if missing:
        named = ", ".join(sorted(missing)[:5])
        raise SplitError(
            f"{len(missing)} subject(s) have no {attribute!r} attribute (e.g. {named})."
        )
    values = np.array([value_of[item.subject] for item in items], dtype=object)
    distinct = sorted(set(value_of.values()))
    if len(distinct) < 2:
        raise SplitError(
            f"Every subject has {attribute!r} = {distinct[0]!r}: one group only, nothing to "
            "hold out."
        )
    return values


def _fold(
    index: int,
    items: list[SplitItem],
    subjects: npt.NDArray[np.object_],
    train: Indices,
    test: Indices,
    held_out: str | None,
) -> Fold:
    train_sorted, test_sorted = np.sort(train), np.sort(test)
    return Fold(
        index=index,
        train=tuple(items[i].item_id for i in train_sorted),
        test=tuple(items[i].item_id for i in test_sorted),
        train_subjects=tuple(_unique_in_order(subjects[train_sorted])),
        test_subjects=tuple(_unique_in_order(subjects[test_sorted])),
        held_out=held_out,
    )


def _unique_in_order(values: npt.NDArray[np.object_]) -> Iterator[str]:
    seen: set[str] = set()
    for value in values.tolist():
        if value not in seen:
            seen.add(value)
            yield str(value)
