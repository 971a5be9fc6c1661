"""Clip-classification statistics (the DFEW protocol) over a table of votes. Pure: numpy only.

A ``VoteTable`` holds one code per annotator and clip: the index of the class voted, ``MISSING``
where the annotator did not vote on the clip, ``UNUSABLE`` where they said the clip shows no
usable face. Unusable votes are counted per clip but are not a class: they take no part in the
distribution, the single-label rule, alpha or kappa.

* Distribution: votes per class per clip, one ``bincount``.
* Single-label rule (DFEW): a clip is single-labelled when its most voted class is the only one
  with the most votes and has more than ``threshold`` votes (DFEW: more than 6 of 10).
* Krippendorff's alpha, nominal, annotators x clips (``curation.alpha``).
* Fleiss' kappa (``curation.kappa``) over the clips that have the full number of class votes
  (Fleiss' kappa needs the same number of ratings per subject).
* Per annotator: the confusion matrix of their votes against the majority of the *other*
  annotators' votes on the same clips (rows: the others' majority, columns: this annotator),
  skipping clips where the others tie; and alpha with the annotator left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from core.label_schema import UNUSABLE as UNUSABLE_LABEL
from curation.alpha import AlphaResult, nominal_coincidences
from curation.kappa import FleissKappa, fleiss_kappa

IntArray = npt.NDArray[np.int64]

MISSING = -1
UNUSABLE = -2

SINGLE = "single"
AMBIGUOUS = "ambiguous"
INCOMPLETE = "incomplete"
UNUSABLE_STATUS = "unusable"


@dataclass(frozen=True)
class VoteTable:
    """``codes[a, c]``: annotator ``a``'s vote on clip ``c`` as a class index, ``MISSING`` or
    ``UNUSABLE``."""

    clips: tuple[int, ...]
    annotators: tuple[str, ...]
    classes: tuple[str, ...]
    codes: IntArray

    @classmethod
    def from_votes(
        cls,
        votes: Iterable[tuple[int, str, str]],
        classes: Sequence[str],
        clips: Sequence[int] = (),
    ) -> VoteTable:
        """The table of ``(clip, annotator, label)`` votes; ``clips`` adds clips without votes.

        Raises ``ValueError`` for a label that is neither a class nor ``unusable``, or for two
        votes of one annotator on one clip.
        """
        rows = list(votes)
        clip_ids = tuple(sorted({*clips, *(clip for clip, _, _ in rows)}))
        names = tuple(sorted({annotator for _, annotator, _ in rows}))
        code_of = {name: index for index, name in enumerate(classes)}
        code_of[UNUSABLE_LABEL] = UNUSABLE
        column = {clip: index for index, clip in enumerate(clip_ids)}
        row_of = {name: index for index, name in enumerate(names)}
        codes = np.full((len(names), len(clip_ids)), MISSING, dtype=np.int64)
        for clip, annotator, label in rows:
            if label not in code_of:
                raise ValueError(f"clip {clip}: '{label}' is not a class")
            cell = (row_of[annotator], column[clip])
            if codes[cell] != MISSING:
                raise ValueError(f"clip {clip}: {annotator} voted twice")
            codes[cell] = code_of[label]
        return cls(clip_ids, names, tuple(classes), codes)


def vote_counts(table: VoteTable) -> IntArray:
    """Clips x classes: how many annotators voted each class on each clip."""
    n_clips, n_classes = len(table.clips), len(table.classes)
    annotator_of, clip_of = np.nonzero(table.codes >= 0)
    keys = clip_of * n_classes + table.codes[annotator_of, clip_of]
    counts: IntArray = np.bincount(keys, minlength=n_clips * n_classes).reshape(n_clips, n_classes)
    return counts


def unusable_counts(table: VoteTable) -> IntArray:
    result: IntArray = (table.codes == UNUSABLE).sum(axis=0).astype(np.int64)
    return result


def single_labels(counts: IntArray, threshold: int) -> IntArray:
    """Per clip, the index of its single label, or -1: the most voted class, when it is the
    only one with that many votes and has more than ``threshold`` votes."""
    if counts.shape[1] == 0:
        return np.full(counts.shape[0], -1, dtype=np.int64)
    top = counts.argmax(axis=1)
    top_votes = counts.max(axis=1)
    unique_top = (counts == top_votes[:, None]).sum(axis=1) == 1
    result: IntArray = np.where(unique_top & (top_votes > threshold), top, -1).astype(np.int64)
    return result


def clip_statuses(
    counts: IntArray, unusable: IntArray, labels: IntArray, expected: int
) -> list[str]:
    """``single``; ``unusable`` when unusable votes are the majority of its votes;
    ``incomplete`` while votes are still missing; ``ambiguous`` otherwise."""
    cast = counts.sum(axis=1) + unusable
    statuses = []
    for index in range(len(labels)):
        if labels[index] >= 0:
            statuses.append(SINGLE)
        elif 2 * unusable[index] > cast[index]:
            statuses.append(UNUSABLE_STATUS)
        elif cast[index] < expected:
            statuses.append(INCOMPLETE)
        else:
            statuses.append(AMBIGUOUS)
    return statuses


def counts_alpha(counts: IntArray, classes: Sequence[str]) -> AlphaResult:
    """Krippendorff's alpha (nominal) from the clips x classes vote counts: the coincidence
    matrix is built from the counts directly (Krippendorff 2011, A.3), never from a loop over
    pairs of votes."""
    return nominal_coincidences(counts, list(classes)).alpha()


def vote_alpha(table: VoteTable) -> AlphaResult:
    """Krippendorff's alpha (nominal) of the class votes, annotators x clips."""
    return counts_alpha(vote_counts(table), table.classes)


def vote_kappa(counts: IntArray, raters: int) -> FleissKappa | str:
    """Fleiss' kappa over the clips with exactly ``raters`` class votes, or why there is none."""
    complete = counts[counts.sum(axis=1) == raters]
    if raters < 2:
        return "undefined: Fleiss' kappa needs at least two votes per clip"
    if complete.shape[0] == 0:
        return f"undefined: no clip has all {raters} votes yet"
    return fleiss_kappa(complete)


@dataclass(frozen=True)
class AnnotatorReport:
    annotator: str
    n_votes: int
    n_unusable: int
    n_compared: int
    n_ties: int
    agreement: float | None
    confusion: list[list[int]]
    alpha_without: AlphaResult


def _own_counts(codes: IntArray, n_classes: int) -> IntArray:
    """Clips x classes: one annotator's class votes as counts."""
    own = np.zeros((len(codes), n_classes), dtype=np.int64)
    voted = np.nonzero(codes >= 0)[0]
    own[voted, codes[voted]] = 1
    return own


def annotator_reports(table: VoteTable, counts: IntArray) -> list[AnnotatorReport]:
    """Each annotator against the majority of the others (ties skipped) and alpha without
    them."""
    n_classes = len(table.classes)
    reports = []
    for row, name in enumerate(table.annotators):
        codes = table.codes[row]
        voted = np.nonzero(codes >= 0)[0]
        others = counts[voted].copy()
        others[np.arange(len(voted)), codes[voted]] -= 1
        top_votes = others.max(axis=1) if n_classes else np.zeros(len(voted), dtype=np.int64)
        clear = (top_votes > 0) & ((others == top_votes[:, None]).sum(axis=1) == 1)
        majority = others.argmax(axis=1) if n_classes else np.zeros(len(voted), dtype=np.int64)
        confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
        np.add.at(confusion, (majority[clear], codes[voted][clear]), 1)
        compared = int(clear.sum())
        reports.append(
            AnnotatorReport(
                annotator=name,
                n_votes=len(voted),
                n_unusable=int((codes == UNUSABLE).sum()),
                n_compared=compared,
                n_ties=int(((top_votes > 0) & ~clear).sum()),
                agreement=float(np.trace(confusion) / compared) if compared else None,
                confusion=confusion.tolist(),
                alpha_without=counts_alpha(counts - _own_counts(codes, n_classes), table.classes),
            )
        )
    return reports


def alpha_dict(result: AlphaResult) -> dict[str, Any]:
    return {"value": result.value, "reason": result.reason}


def clip_statistics(
    table: VoteTable, *, threshold: int, expected: int, names: dict[int, str] | None = None,
    subjects: dict[int, str | None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Everything curators see about a clip project's votes (see the module docstring)."""
    counts = vote_counts(table)
    unusable = unusable_counts(table)
    labels = single_labels(counts, threshold)
    statuses = clip_statuses(counts, unusable, labels, expected)
    kappa = vote_kappa(counts, expected)
    kappa_out: dict[str, Any] = (
        {"value": None, "reason": kappa, "n_clips": 0, "n_raters": expected}
        if isinstance(kappa, str)
        else {
            "value": kappa.kappa,
            "reason": kappa.reason,
            "n_clips": kappa.n_subjects,
            "n_raters": kappa.n_raters,
        }
    )
    classes = list(table.classes)
    by_class = dict.fromkeys(classes, 0)
    clips = []
    for index, clip in enumerate(table.clips):
        row = counts[index]
        top = int(row.argmax()) if classes and row.max() > 0 else None
        label = classes[labels[index]] if labels[index] >= 0 else None
        if label is not None:
            by_class[label] += 1
        clips.append(
            {
                "video": clip,
                "name": (names or {}).get(clip, str(clip)),
                "subject": (subjects or {}).get(clip),
                "votes": {name: int(row[j]) for j, name in enumerate(classes)},
                "unusable": int(unusable[index]),
                "n_votes": int(row.sum() + unusable[index]),
                "label": label,
                "top": classes[top] if top is not None else None,
                "top_votes": int(row.max()) if classes else 0,
                "status": statuses[index],
            }
        )
    return {
        "classes": classes,
        "threshold": threshold,
        "passes_per_item": expected,
        "n_clips": len(table.clips),
        "n_votes": int((table.codes != MISSING).sum()),
        "n_unusable": int(unusable.sum()),
        "alpha": alpha_dict(vote_alpha(table)),
        "kappa": kappa_out,
        "single_labelled": {"count": int((labels >= 0).sum()), "by_class": by_class},
        "clips": clips,
        "annotators": [
            {
                "annotator": report.annotator,
                "n_votes": report.n_votes,
                "n_unusable": report.n_unusable,
                "agreement": report.agreement,
                "n_compared": report.n_compared,
                "n_ties": report.n_ties,
                "confusion": report.confusion,
                "alpha_without": alpha_dict(report.alpha_without),
            }
            for report in annotator_reports(table, counts)
        ],
    }
