"""Score a predictions file against a ground-truth file. Pure: no Django import.

Formats (``manage.py evaluate --format``, ``POST /api/v1/evaluate/``):

- ``megc``: CSV with header ``subject,video,onset,offset`` plus ``emotion`` and optionally
  ``type`` (``macro``/``micro``), the MEGC/STRS ground-truth layout; predictions in the same
  layout. Without a ``type`` column, ``fps`` classifies each interval by duration (at most
  0.5 s is micro, as MEGC does); without either, every interval is ``expression`` and only the
  overall score is meaningful. Both files must count frames from the same base (IoU does not
  depend on it).
- ``activitynet``: ground truth in the ActivityNet v1.3 layout
  (``{"database": {video: {"annotations": [{"segment": [start, end], "label": ...}]}}}``),
  predictions in its result layout (``{"results": {video: [{"segment", "label", "score"}]}}``),
  seconds.
- ``classification``: CSV ``video_name,label`` for both (DFEW's set files); rows pair up by
  ``video_name``.

A malformed file raises ``EvaluationError`` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from curation.evaluation import (
    EvaluationError,
    activitynet_map,
    classification_scores,
    megc_spotting,
)

SCORING_FORMATS = ("megc", "activitynet", "classification")
#: MEGC's rule: an expression of at most half a second is a micro-expression.
MICRO_MAX_SECONDS = 0.5


def _rows(data: bytes, what: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise EvaluationError(f"{what}: not UTF-8 text ({error.reason}).") from error
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise EvaluationError(
            f"{what} line 1: missing column(s) {', '.join(missing)}; the header must hold "
            f"{', '.join(required)}."
        )
    reader.fieldnames = header
    return [
        (line, {key: (value or "").strip() for key, value in row.items() if key is not None})
        for line, row in enumerate(reader, start=2)
    ]


def _frame(value: str, what: str, line: int, column: str) -> int:
    if not value.lstrip("+-").isdigit():
        raise EvaluationError(f"{what} line {line}, column {column}: {value!r} is not a frame.")
    return int(value)


def _spotting(data: bytes, what: str, fps: float | None) -> list[tuple[str, int, int, str]]:
    rows = []
    for line, row in _rows(data, what, ("subject", "video", "onset", "offset")):
        onset = _frame(row["onset"], what, line, "onset")
        offset = _frame(row["offset"], what, line, "offset")
        if offset < onset:
            raise EvaluationError(f"{what} line {line}, column offset: {offset} < onset {onset}.")
        kind = row.get("type", "").lower()
        if not kind:
            if fps is not None:
                kind = "micro" if (offset - onset + 1) / fps <= MICRO_MAX_SECONDS else "macro"
            else:
                kind = "expression"
        rows.append((f"{row['subject']}/{row['video']}", onset, offset, kind))
    return rows


def _json(data: bytes, what: str, key: str) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EvaluationError(f"{what}: not JSON ({error}).") from error
    if not isinstance(document, dict) or not isinstance(document.get(key), dict):
        raise EvaluationError(f"{what}: no '{key}' object at the top level.")
    return document[key]


def _segment(entry: Any, what: str, video: str) -> tuple[float, float, str]:
    try:
        start, end = (float(x) for x in entry["segment"])
        return start, end, str(entry["label"])
    except (KeyError, TypeError, ValueError) as error:
        raise EvaluationError(
            f"{what}, video {video}: each entry needs 'segment': [start, end] and 'label'."
        ) from error


def _activitynet(truth: bytes, predicted: bytes) -> dict[str, Any]:
    ground = [
        (video, *_segment(entry, "ground truth", video))
        for video, item in _json(truth, "ground truth", "database").items()
        for entry in (item.get("annotations", []) if isinstance(item, dict) else [])
    ]
    predictions = []
    for video, entries in _json(predicted, "predictions", "results").items():
        for entry in entries if isinstance(entries, list) else []:
            start, end, label = _segment(entry, "predictions", video)
            try:
                score = float(entry["score"])
            except (KeyError, TypeError, ValueError) as error:
                raise EvaluationError(
                    f"predictions, video {video}: an entry has no score."
                ) from error
            predictions.append((video, start, end, label, score))
    return activitynet_map(ground, predictions)


def _classification(truth: bytes, predicted: bytes) -> dict[str, Any]:
    true_labels = {
        row["video_name"]: row["label"]
        for _, row in _rows(truth, "ground truth", ("video_name", "label"))
    }
    predicted_labels = {}
    for line, row in _rows(predicted, "predictions", ("video_name", "label")):
        if row["video_name"] not in true_labels:
            raise EvaluationError(
                f"predictions line {line}, column video_name: {row['video_name']!r} is not in "
                "the ground truth."
            )
        predicted_labels[row["video_name"]] = row["label"]
    missing = sorted(set(true_labels) - set(predicted_labels))
    if missing:
        raise EvaluationError(
            f"predictions: no label for {len(missing)} clip(s) of the ground truth "
            f"(first: {missing[0]})."
        )
    names = sorted(true_labels)
    return classification_scores(
        [true_labels[name] for name in names], [predicted_labels[name] for name in names]
    )


def score_files(
    format_name: str, ground_truth: bytes, predictions: bytes, *, fps: float | None = None
) -> dict[str, Any]:
    """The scores of ``predictions`` against ``ground_truth``, each naming its matching rule."""
    if format_name == "megc":
        result = megc_spotting(
            _spotting(ground_truth, "ground truth", fps), _spotting(predictions, "predictions", fps)
        )
    elif format_name == "activitynet":
        result = _activitynet(ground_truth, predictions)
    elif format_name == "classification":
        result = _classification(ground_truth, predictions)
    else:
        raise EvaluationError(
            f"Unknown format {format_name!r}; one of {', '.join(SCORING_FORMATS)}."
        )
    return {"format": format_name, **result}
