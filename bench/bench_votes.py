"""Benchmark: clip-vote statistics at DFEW's size against the package and naive code.

Run from the repository root::

    .venv/bin/python bench/bench_votes.py

DFEW's scale: 16,372 clips, 10 votes each from a pool of 12 annotators, 7 classes (163,720
votes), about 1 % of them "unusable". The votes are simulated (each annotator with its own
accuracy and confusions), seeded.

1. The vote table from (clip, annotator, label) rows: ``VoteTable.from_votes``.
2. Vote distribution and single-label rule: ``vote_counts`` + ``single_labels`` (one bincount)
   against a naive loop with ``collections.Counter`` per clip.
3. Nominal alpha (12 x 16,372, missing values): ``curation.clipvotes.vote_alpha`` against
   ``krippendorff.alpha``.
4. Fleiss' kappa: ``vote_kappa`` against the formula in plain Python loops over clips.
5. The per-annotator reports (confusion against the others' majority, alpha without each of the
   12): ``annotator_reports`` against a naive loop over clips and annotators with Counters, and
   12 ``krippendorff.alpha`` calls for the leave-one-out alphas.
6. The whole ``clip_statistics`` report that ``GET /projects/{slug}/clip-agreement/`` returns
   (without the database read).

Times are the best of several repeats. Values must agree to 1e-9 (asserted). Prints a markdown
table.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import krippendorff
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import best_time
from curation.clipvotes import (
    VoteTable,
    annotator_reports,
    clip_statistics,
    single_labels,
    vote_alpha,
    vote_counts,
    vote_kappa,
)

N_CLIPS = 16_372
N_ANNOTATORS = 12
VOTES_PER_CLIP = 10
CLASSES = ("happy", "sad", "neutral", "angry", "surprise", "disgust", "fear")
THRESHOLD = 6
TOLERANCE = 1e-9


def simulated_votes(seed: int = 0) -> list[tuple[int, str, str]]:
    rng = np.random.default_rng(seed)
    k = len(CLASSES)
    names = [f"ann{i:02d}" for i in range(N_ANNOTATORS)]
    accuracy = np.linspace(0.5, 0.85, N_ANNOTATORS)
    truth = rng.integers(0, k, size=N_CLIPS)
    votes = []
    for clip in range(N_CLIPS):
        for annotator in rng.choice(N_ANNOTATORS, size=VOTES_PER_CLIP, replace=False):
            if rng.random() < 0.01:
                label = "unusable"
            elif rng.random() < accuracy[annotator]:
                label = CLASSES[truth[clip]]
            else:
                label = CLASSES[(truth[clip] + 1 + rng.integers(0, 2)) % k]
            votes.append((clip, names[annotator], label))
    return votes


def naive_distribution(votes: list[tuple[int, str, str]]) -> dict[int, str | None]:
    per_clip: dict[int, Counter[str]] = {}
    for clip, _, label in votes:
        if label != "unusable":
            per_clip.setdefault(clip, Counter())[label] += 1
    single = {}
    for clip, counts in per_clip.items():
        ranked = counts.most_common()
        unique = len(ranked) == 1 or ranked[0][1] > ranked[1][1]
        single[clip] = ranked[0][0] if unique and ranked[0][1] > THRESHOLD else None
    return single


def naive_kappa(votes: list[tuple[int, str, str]]) -> float:
    per_clip: dict[int, Counter[str]] = {}
    for clip, _, label in votes:
        if label != "unusable":
            per_clip.setdefault(clip, Counter())[label] += 1
    complete = [c for c in per_clip.values() if sum(c.values()) == VOTES_PER_CLIP]
    n = VOTES_PER_CLIP
    totals: Counter[str] = Counter()
    p_sum = 0.0
    for counts in complete:
        totals.update(counts)
        p_sum += (sum(v * v for v in counts.values()) - n) / (n * (n - 1))
    p_bar = p_sum / len(complete)
    p_e = sum((t / (len(complete) * n)) ** 2 for t in totals.values())
    return (p_bar - p_e) / (1 - p_e)


def naive_reports(votes: list[tuple[int, str, str]], matrix: np.ndarray) -> list[list[list[int]]]:
    per_clip: dict[int, dict[str, str]] = {}
    for clip, name, label in votes:
        per_clip.setdefault(clip, {})[name] = label
    names = sorted({name for _, name, _ in votes})
    matrices = []
    for row, name in enumerate(names):
        confusion = [[0] * len(CLASSES) for _ in CLASSES]
        for labels in per_clip.values():
            own = labels.get(name)
            if own is None or own == "unusable":
                continue
            others = Counter(v for w, v in labels.items() if w != name and v != "unusable")
            ranked = others.most_common()
            if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
                continue
            confusion[CLASSES.index(ranked[0][0])][CLASSES.index(own)] += 1
        matrices.append(confusion)
        krippendorff.alpha(
            reliability_data=np.delete(matrix, row, axis=0), level_of_measurement="nominal"
        )
    return matrices


def main() -> None:
    votes = simulated_votes()
    rows: list[tuple[str, float, str, float | None]] = []
    build_s, table = best_time(lambda: VoteTable.from_votes(votes, CLASSES), 3)
    rows.append(("vote table from 163,720 rows", build_s, "-", None))
    matrix = np.where(table.codes >= 0, table.codes, np.nan).astype(np.float64)

    ours_s, labels = best_time(lambda: single_labels(vote_counts(table), THRESHOLD), 5)
    naive_s, naive = best_time(lambda: naive_distribution(votes), 3)
    assert {table.clips[i]: CLASSES[j] for i, j in enumerate(labels) if j >= 0} == {
        clip: label for clip, label in naive.items() if label is not None
    }
    rows.append(("distribution + single-label rule", ours_s, "Counter per clip", naive_s))

    ours_s, alpha = best_time(lambda: vote_alpha(table), 5)
    package_s, reference = best_time(
        lambda: krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"), 3
    )
    assert alpha.value is not None
    assert abs(alpha.value - reference) < TOLERANCE
    rows.append(("alpha, nominal (12 x 16,372)", ours_s, "krippendorff package", package_s))

    counts = vote_counts(table)
    ours_s, kappa = best_time(lambda: vote_kappa(counts, VOTES_PER_CLIP), 5)
    naive_s, reference_kappa = best_time(lambda: naive_kappa(votes), 3)
    assert not isinstance(kappa, str)
    assert kappa.kappa is not None
    assert abs(kappa.kappa - reference_kappa) < TOLERANCE
    rows.append(("Fleiss' kappa", ours_s, "Python loops", naive_s))

    ours_s, reports = best_time(lambda: annotator_reports(table, counts), 3)
    naive_s, matrices = best_time(lambda: naive_reports(votes, matrix), 1)
    assert [report.confusion for report in reports] == matrices
    rows.append(
        ("per-annotator confusion + alpha without each", ours_s, "loops + package", naive_s)
    )

    whole_s, stats = best_time(
        lambda: clip_statistics(table, threshold=THRESHOLD, expected=VOTES_PER_CLIP), 3
    )
    rows.append(("whole clip-agreement report", whole_s, "-", None))

    print(
        f"DFEW scale: {N_CLIPS:,} clips x {VOTES_PER_CLIP} votes from {N_ANNOTATORS} annotators "
        f"({len(votes):,} votes); alpha {alpha.value:.4f}, kappa {kappa.kappa:.4f}, "
        f"single-labelled {stats['single_labelled']['count']:,}\n"
    )
    print("| step | Spotlab | baseline | baseline time | speed-up |")
    print("|---|---:|---|---:|---:|")
    for name, ours, baseline, theirs in rows:
        ratio = f"{theirs / ours:.0f}x" if theirs else "-"
        their_time = f"{theirs * 1000:.1f} ms" if theirs else "-"
        print(f"| {name} | {ours * 1000:.1f} ms | {baseline} | {their_time} | {ratio} |")


if __name__ == "__main__":
    main()
