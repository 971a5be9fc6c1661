"""Clip-vote statistics on small tables worked by hand, and against independent references
(the krippendorff package for alpha, Fleiss' formula written out for kappa)."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from curation.clipvotes import (
    MISSING,
    UNUSABLE,
    VoteTable,
    annotator_reports,
    clip_statistics,
    clip_statuses,
    single_labels,
    unusable_counts,
    vote_counts,
    vote_kappa,
)

CLASSES = ("happy", "sad", "neutral")


def table() -> VoteTable:
    # clips 1..4; annotators a..d (sorted). Clip 4 has a missing vote and an unusable one.
    votes = [
        (1, "a", "happy"), (1, "b", "happy"), (1, "c", "happy"), (1, "d", "sad"),
        (2, "a", "sad"), (2, "b", "neutral"), (2, "c", "sad"), (2, "d", "neutral"),
        (3, "a", "neutral"), (3, "b", "neutral"), (3, "c", "neutral"), (3, "d", "neutral"),
        (4, "a", "happy"), (4, "b", "unusable"), (4, "c", "sad"),
    ]  # fmt: skip
    return VoteTable.from_votes(votes, CLASSES)


def test_table_counts_and_the_single_label_rule() -> None:
    votes = table()
    assert votes.annotators == ("a", "b", "c", "d")
    assert votes.clips == (1, 2, 3, 4)
    assert votes.codes[:, 3].tolist() == [0, UNUSABLE, 1, MISSING]
    counts = vote_counts(votes)
    assert counts.tolist() == [[3, 1, 0], [0, 2, 2], [0, 0, 4], [1, 1, 0]]
    assert unusable_counts(votes).tolist() == [0, 0, 0, 1]
    # More than 2 votes: clips 1 (3 happy) and 3 (4 neutral); clip 2 ties at 2.
    labels = single_labels(counts, threshold=2)
    assert labels.tolist() == [0, -1, 2, -1]
    # More than 3 votes: only clip 3.
    assert single_labels(counts, threshold=3).tolist() == [-1, -1, 2, -1]
    # A tie at the top is never a single label, whatever the threshold.
    assert single_labels(np.array([[2, 2, 0]]), threshold=0).tolist() == [-1]
    statuses = clip_statuses(counts, unusable_counts(votes), labels, expected=4)
    assert statuses == ["single", "ambiguous", "single", "incomplete"]
    # Three unusable votes of four: the clip is unusable.
    assert clip_statuses(np.array([[1, 0, 0]]), np.array([3]), np.array([-1]), 4) == ["unusable"]


def test_bad_votes_are_refused() -> None:
    with pytest.raises(ValueError, match="'angry' is not a class"):
        VoteTable.from_votes([(1, "a", "angry")], CLASSES)
    with pytest.raises(ValueError, match="a voted twice"):
        VoteTable.from_votes([(1, "a", "sad"), (1, "a", "happy")], CLASSES)


def test_confusion_against_the_majority_of_the_others() -> None:
    votes = table()
    reports = {report.annotator: report for report in annotator_reports(votes, vote_counts(votes))}
    # d: clip 1 others 3 happy -> d said sad; clip 2 others sad 2, neutral 1 -> d neutral;
    # clip 3 others neutral -> neutral. Compared 3, agreement 1/3.
    d = reports["d"]
    assert (d.n_votes, d.n_compared, d.n_ties) == (3, 3, 0)
    assert d.confusion == [[0, 1, 0], [0, 0, 1], [0, 0, 1]]
    assert d.agreement == pytest.approx(1 / 3)
    # a: clip 1 others happy 2, sad 1 -> happy (agrees); clip 2 others neutral 2, sad 1 ->
    # neutral (a said sad); clip 3 neutral agrees; clip 4 others: one sad -> sad (a: happy).
    a = reports["a"]
    assert (a.n_votes, a.n_compared, a.n_ties) == (4, 4, 0)
    assert a.confusion == [[1, 0, 0], [1, 0, 0], [0, 1, 1]]
    assert a.agreement == pytest.approx(2 / 4)
    # b voted unusable on clip 4: not a class vote, so not compared.
    b = reports["b"]
    assert (b.n_votes, b.n_unusable, b.n_compared) == (3, 1, 3)
    # c on clip 2: others sad 1, neutral 2 -> neutral; c said sad.
    assert reports["c"].confusion[2][1] == 1


def test_alpha_and_kappa_match_independent_references() -> None:
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, size=60)
    votes = []
    for annotator in range(8):
        for clip in range(60):
            if rng.random() < 0.15:
                continue  # missing
            label = truth[clip] if rng.random() < 0.7 else rng.integers(0, 3)
            votes.append((clip, f"r{annotator}", CLASSES[int(label)]))
    data = VoteTable.from_votes(votes, CLASSES)
    stats = clip_statistics(data, threshold=4, expected=8)
    reference = krippendorff.alpha(
        reliability_data=np.where(data.codes >= 0, data.codes, np.nan),
        level_of_measurement="nominal",
    )
    assert stats["alpha"]["value"] == pytest.approx(reference, abs=1e-12)
    # Alpha without each annotator, against the package on the table without that row.
    for row, report in enumerate(stats["annotators"]):
        rest = np.delete(np.where(data.codes >= 0, data.codes, np.nan), row, axis=0)
        expected = krippendorff.alpha(reliability_data=rest, level_of_measurement="nominal")
        assert report["alpha_without"]["value"] == pytest.approx(expected, abs=1e-12)
    # Kappa over the clips with all eight votes, by Fleiss' formula written out.
    counts = vote_counts(data)
    complete = counts[counts.sum(axis=1) == 8]
    n = 8
    p_j = complete.sum(axis=0) / complete.sum()
    p_i = ((complete**2).sum(axis=1) - n) / (n * (n - 1))
    kappa = (p_i.mean() - (p_j**2).sum()) / (1 - (p_j**2).sum())
    assert stats["kappa"]["n_clips"] == len(complete) > 0
    assert stats["kappa"]["value"] == pytest.approx(kappa, abs=1e-12)


def test_undefined_statistics_say_why() -> None:
    # Everyone votes happy: no variation, alpha and kappa are undefined (never 1).
    votes = [(clip, name, "happy") for clip in range(3) for name in ("a", "b")]
    stats = clip_statistics(VoteTable.from_votes(votes, CLASSES), threshold=1, expected=2)
    assert stats["alpha"]["value"] is None
    assert stats["alpha"]["reason"]
    assert stats["kappa"]["value"] is None
    assert "one category" in stats["kappa"]["reason"]
    # No clip has every vote yet.
    assert vote_kappa(np.array([[1, 0, 0]]), 2) == "undefined: no clip has all 2 votes yet"
    empty = clip_statistics(VoteTable.from_votes([], CLASSES, clips=[7]), threshold=6, expected=10)
    assert empty["n_votes"] == 0
    assert empty["clips"][0]["status"] == "incomplete"
    assert empty["alpha"]["value"] is None
