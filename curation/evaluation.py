"""Scores of predictions against ground truth: MEGC spotting, ActivityNet mAP, UAR/WAR.

Every score is a plain JSON-able dict that names the rule it was computed by (``"rule"``), so a
number never travels without the definition that produced it. Inputs are plain sequences of
tuples; reading benchmark files into them is the formats module's job.

MEGC spotting (:func:`megc_spotting`). Intervals are ``(video, onset, offset, type)`` in
inclusive frames. A prediction is a true positive when its inclusive-frame IoU (counting frames:
``|A and B| / |A or B|``, see :mod:`curation.matching`) with a ground truth of the same video is
at least the threshold (0.5), each ground truth matched by at most one prediction and each
prediction by at most one ground truth. Within each video the matching is the optimal one-to-one
assignment of :func:`curation.matching.match_pair` (``scipy.optimize.linear_sum_assignment``:
the most matched pairs, then the largest total IoU), never greedy, so a prediction overlapping
two ground truths can never cost a true positive that another assignment would have kept.
TP, FP and FN are then pooled over all videos before precision, recall and F1 are computed.

* ``by_type[t]``: MEGC scores each expression type separately: predictions of type ``t``
  against ground truths of type ``t`` (a macro prediction on a micro ground truth is an FP for
  macro and leaves an FN for micro). ``by_type`` always has ``"macro"`` and ``"micro"``, plus
  any other type that occurs.
* ``overall``: type ignored: every prediction against every ground truth of the video.
* ``summed_types``: the per-type counts added up (MEGC 2020's "overall",
  ``(TP_macro + TP_micro) / (M + N)``), for comparison with papers that report that.

Precision with no prediction, recall with no ground truth and F1 with ``P + R = 0`` are 0.

ActivityNet mAP (:func:`activitynet_map`) follows the ActivityNet v1.3 evaluation code
(``Evaluation/eval_detection.py``, ``compute_average_precision_detection``): per class,
predictions sorted by score (descending; ties in input order), each matched to the unmatched
ground truth of the same video with the highest tIoU at or above the threshold, else a false
positive; cumulative precision and recall; AP by ``interpolated_prec_rec`` (precision made
monotone, summed over the recall steps). Classes are those of the ground truth (predictions of
other classes are ignored and counted); a class without predictions has AP 0. mAP is the mean
over classes at each threshold; ``average_map`` is the mean over thresholds. tIoU is continuous:
``|[s1, e1] and [s2, e2]| / |[s1, e1] or [s2, e2]|``. With ``unit="frames"`` an inclusive frame
interval ``[onset, offset]`` is first turned into ``[onset, offset + 1)`` (a one-frame segment
lasts one frame), so tIoU then equals the MEGC inclusive-frame IoU.

Classification (:func:`classification_scores`): UAR is the mean per-class recall over the
classes present in the truth; WAR is the accuracy (recall weighted by class size).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from curation.matching import match_pair
from curation.types import Segment

MEGC_IOU = 0.5
MEGC_TYPES = ("macro", "micro")
ACTIVITYNET_THRESHOLDS: npt.NDArray[np.float64] = np.linspace(0.5, 0.95, 10)

SpottingInterval = tuple[Hashable, int, int, str]
"""``(video, onset, offset, type)``: an inclusive frame interval of one expression type."""
Detection = tuple[Hashable, float, float, str]
"""``(video, start, end, label)``: a ground-truth instance for ActivityNet mAP."""
ScoredDetection = tuple[Hashable, float, float, str, float]
"""``(video, start, end, label, score)``: a prediction for ActivityNet mAP."""


class EvaluationError(ValueError):
    """Inputs that cannot be scored: malformed intervals, mismatched lengths, no data."""


# -- MEGC spotting -------------------------------------------------------------------------------


def megc_spotting(
    ground_truth: Sequence[SpottingInterval],
    predictions: Sequence[SpottingInterval],
    *,
    iou: float = MEGC_IOU,
) -> dict[str, Any]:
    """MEGC spotting scores: counts, precision, recall, F1 by type, overall and type-summed.

    Raises :class:`EvaluationError` for an interval with ``offset < onset``, a negative or
    non-integer frame, or a threshold outside ``(0, 1]``.
    """
    if not 0.0 < iou <= 1.0:
        raise EvaluationError(f"The IoU threshold must be in (0, 1], got {iou}.")
    truth = [_spotting_row(row, "ground truth", index) for index, row in enumerate(ground_truth)]
    predicted = [_spotting_row(row, "prediction", index) for index, row in enumerate(predictions)]
    types = sorted({*MEGC_TYPES, *(row[3] for row in truth), *(row[3] for row in predicted)})
    by_type = {
        kind: _spotting_counts(
            [row for row in truth if row[3] == kind],
            [row for row in predicted if row[3] == kind],
            iou,
        )
        for kind in types
    }
    summed = {
        key: sum(counts[key] for counts in by_type.values())
        for key in ("tp", "fp", "fn", "n_ground_truth", "n_predictions")
    }
    return {
        "rule": (f"MEGC: inclusive-frame IoU >= {iou:g}, one-to-one, counts pooled over videos"),
        "matching": (
            "optimal one-to-one assignment per video (scipy linear_sum_assignment): most "
            "matches, then largest total IoU"
        ),
        "iou_threshold": iou,
        "by_type": by_type,
        "by_type_rule": "predictions of type t against ground truths of type t",
        "overall": _spotting_counts(truth, predicted, iou),
        "overall_rule": "expression type ignored",
        "summed_types": {**summed, **_prf(summed["tp"], summed["fp"], summed["fn"])},
        "summed_types_rule": "per-type counts added up (MEGC 2020 overall)",
    }


def _spotting_row(row: Sequence[Any], what: str, index: int) -> SpottingInterval:
    if len(row) != 4:
        raise EvaluationError(
            f"{what} {index}: expected (video, onset, offset, type), got {len(row)} values."
        )
    video, onset, offset, kind = row
    if not _is_frame(onset) or not _is_frame(offset) or onset < 0:
        raise EvaluationError(f"{what} {index}: onset and offset must be frames >= 0.")
    if offset < onset:
        raise EvaluationError(f"{what} {index}: offset {offset} is before onset {onset}.")
    return video, int(onset), int(offset), str(kind)


def _is_frame(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _spotting_counts(
    truth: Sequence[SpottingInterval], predicted: Sequence[SpottingInterval], iou: float
) -> dict[str, Any]:
    truth_by_video = _segments_by_video(truth)
    predicted_by_video = _segments_by_video(predicted)
    tp = sum(
        len(match_pair(segments, predicted_by_video.get(video, []), iou))
        for video, segments in truth_by_video.items()
    )
    counts = {
        "tp": tp,
        "fp": len(predicted) - tp,
        "fn": len(truth) - tp,
        "n_ground_truth": len(truth),
        "n_predictions": len(predicted),
    }
    return {**counts, **_prf(tp, counts["fp"], counts["fn"])}


def _segments_by_video(rows: Sequence[SpottingInterval]) -> dict[Hashable, list[Segment]]:
    grouped: dict[Hashable, list[Segment]] = defaultdict(list)
    for video, onset, offset, kind in rows:
        grouped[video].append(Segment(onset=onset, offset=offset, type=kind))
    return grouped


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


# -- ActivityNet mAP -----------------------------------------------------------------------------


def activitynet_map(
    ground_truth: Sequence[Detection],
    predictions: Sequence[ScoredDetection],
    *,
    thresholds: Sequence[float] | npt.NDArray[np.float64] = ACTIVITYNET_THRESHOLDS,
    unit: Literal["seconds", "frames"] = "seconds",
) -> dict[str, Any]:
    """Per-class AP and mAP at each tIoU threshold, ActivityNet v1.3 procedure (see module).

    ``unit="frames"`` reads ``start``/``end`` as inclusive frames, converted to
    ``[onset, offset + 1)``. Raises :class:`EvaluationError` for an empty ground truth, a
    segment with ``end < start`` (or zero length in seconds) or a threshold outside ``(0, 1]``.
    """
    levels = np.asarray(thresholds, dtype=np.float64).ravel()
    if levels.size == 0 or not np.all((levels > 0) & (levels <= 1)):
        raise EvaluationError("tIoU thresholds must be a non-empty list of values in (0, 1].")
    if unit not in ("seconds", "frames"):
        raise EvaluationError(f"unit must be 'seconds' or 'frames', got {unit!r}.")
    truth = [
        _detection(row, 4, "ground truth", index, unit) for index, row in enumerate(ground_truth)
    ]
    predicted = [
        _detection(row, 5, "prediction", index, unit) for index, row in enumerate(predictions)
    ]
    if not truth:
        raise EvaluationError("There is no ground truth to evaluate against.")
    classes = sorted({row[3] for row in truth})
    ap = np.array(
        [
            _average_precision(
                [row for row in truth if row[3] == label],
                [row for row in predicted if row[3] == label],
                levels,
            )
            for label in classes
        ]
    )  # classes x thresholds
    map_per_threshold = ap.mean(axis=0)
    frames_note = ", frames as [onset, offset + 1)" if unit == "frames" else ""
    return {
        "rule": (
            "ActivityNet v1.3: per class, predictions by descending score each matched to the "
            "unmatched same-video ground truth of highest tIoU >= threshold; interpolated AP "
            f"(interpolated_prec_rec); mAP = mean over classes; continuous tIoU{frames_note}"
        ),
        "unit": unit,
        "thresholds": [round(float(level), 6) for level in levels],
        "map": [float(value) for value in map_per_threshold],
        "average_map": float(map_per_threshold.mean()),
        "ap_per_class": {
            label: [float(value) for value in ap[row]] for row, label in enumerate(classes)
        },
        "n_ground_truth": len(truth),
        "n_predictions": len(predicted),
        "ignored_predictions": sum(1 for row in predicted if row[3] not in set(classes)),
    }


def _detection(
    row: Sequence[Any], width: int, what: str, index: int, unit: str
) -> tuple[Hashable, float, float, str, float]:
    if len(row) != width:
        shape = "(video, start, end, label" + (", score)" if width == 5 else ")")
        raise EvaluationError(f"{what} {index}: expected {shape}, got {len(row)} values.")
    video, start, end, label = row[:4]
    score = float(row[4]) if width == 5 else 0.0
    start, end = float(start), float(end)
    if unit == "frames":
        end += 1.0
    if not end > start:
        raise EvaluationError(f"{what} {index}: end {row[2]} must be after start {row[1]}.")
    return video, start, end, str(label), score


def _average_precision(
    truth: Sequence[tuple[Hashable, float, float, str, float]],
    predicted: Sequence[tuple[Hashable, float, float, str, float]],
    levels: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """AP of one class at each threshold (``compute_average_precision_detection``)."""
    if not predicted:
        return np.zeros(levels.size)
    truth_by_video: dict[Hashable, list[int]] = defaultdict(list)
    for index, row in enumerate(truth):
        truth_by_video[row[0]].append(index)
    truth_bounds = np.array([[row[1], row[2]] for row in truth], dtype=np.float64)
    scores = np.array([row[4] for row in predicted])
    order = np.argsort(-scores, kind="stable")
    taken = np.zeros((levels.size, len(truth)), dtype=bool)
    tp = np.zeros((levels.size, len(predicted)))
    for rank, prediction_index in enumerate(order):
        video, start, end = predicted[prediction_index][:3]
        candidates = np.array(truth_by_video.get(video, []), dtype=np.intp)
        if candidates.size == 0:
            continue  # a false positive at every threshold
        overlap = _tiou(start, end, truth_bounds[candidates])
        by_overlap = candidates[np.argsort(-overlap, kind="stable")]
        sorted_overlap = np.sort(overlap)[::-1]
        for level_index, level in enumerate(levels):
            free = ~taken[level_index, by_overlap] & (sorted_overlap >= level)
            if free.any():
                chosen = by_overlap[np.argmax(free)]
                taken[level_index, chosen] = True
                tp[level_index, rank] = 1.0
    tp_cumulative = np.cumsum(tp, axis=1)
    fp_cumulative = np.cumsum(1.0 - tp, axis=1)
    recall = tp_cumulative / len(truth)
    precision = tp_cumulative / (tp_cumulative + fp_cumulative)
    return np.array([_interpolated_ap(precision[i], recall[i]) for i in range(levels.size)])


def _tiou(start: float, end: float, bounds: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    intersection = np.clip(np.minimum(end, bounds[:, 1]) - np.maximum(start, bounds[:, 0]), 0, None)
    union = (end - start) + (bounds[:, 1] - bounds[:, 0]) - intersection
    result: npt.NDArray[np.float64] = intersection / union
    return result


def _interpolated_ap(precision: npt.NDArray[np.float64], recall: npt.NDArray[np.float64]) -> float:
    """ActivityNet's ``interpolated_prec_rec``: area under the monotone precision envelope."""
    padded_precision = np.concatenate([[0.0], precision, [0.0]])
    padded_recall = np.concatenate([[0.0], recall, [1.0]])
    envelope = np.maximum.accumulate(padded_precision[::-1])[::-1]
    steps = np.flatnonzero(padded_recall[1:] != padded_recall[:-1]) + 1
    return float(np.sum((padded_recall[steps] - padded_recall[steps - 1]) * envelope[steps]))


# -- classification ------------------------------------------------------------------------------


def classification_scores(
    truth: Sequence[str], predicted: Sequence[str], *, labels: Sequence[str] | None = None
) -> dict[str, Any]:
    """UAR, WAR, per-class recall and the confusion matrix of clip classification.

    ``labels`` fixes the order of the confusion matrix (rows: truth, columns: prediction); by
    default it is the sorted union of the labels seen. Raises :class:`EvaluationError` when the
    sequences differ in length, are empty, or hold a label missing from ``labels``.
    """
    if len(truth) != len(predicted):
        raise EvaluationError(
            f"{len(truth)} true labels but {len(predicted)} predictions: they must pair up."
        )
    if not truth:
        raise EvaluationError("There is nothing to score: no labels.")
    order = list(labels) if labels is not None else sorted({*truth, *predicted})
    position = {label: index for index, label in enumerate(order)}
    unknown = sorted({*truth, *predicted} - set(position))
    if unknown:
        raise EvaluationError(f"Label(s) {', '.join(unknown)} are not in the given labels.")
    rows = np.array([position[label] for label in truth], dtype=np.intp)
    columns = np.array([position[label] for label in predicted], dtype=np.intp)
    confusion = np.zeros((len(order), len(order)), dtype=np.int64)
    np.add.at(confusion, (rows, columns), 1)
    support = confusion.sum(axis=1)
    present = [index for index in range(len(order)) if support[index] > 0]
    recall = {order[i]: float(confusion[i, i] / support[i]) for i in present}
    return {
        "rule": (
            "UAR = mean recall over the classes present in the truth; WAR = accuracy; "
            "confusion rows are true labels, columns predictions"
        ),
        "uar": float(np.mean(list(recall.values()))),
        "war": float(np.trace(confusion) / len(truth)),
        "n": len(truth),
        "per_class_recall": recall,
        "support": {order[i]: int(support[i]) for i in present},
        "labels": order,
        "confusion_matrix": confusion.tolist(),
    }
