"""Evaluators on small cases worked out by hand (in the comments next to each expectation)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from curation.evaluation import (
    EvaluationError,
    activitynet_map,
    classification_scores,
    megc_spotting,
)

# -- MEGC spotting -------------------------------------------------------------------------------


def test_prediction_over_two_ground_truths_counts_once_and_iou_half_counts() -> None:
    truth = [("v1", 10, 19, "macro"), ("v1", 20, 29, "macro")]
    # [10, 29] has IoU 10/20 = 0.5 with each: a hit, but for one ground truth only.
    result = megc_spotting(truth, [("v1", 10, 29, "macro")])
    assert result["overall"] == {
        "tp": 1,
        "fp": 0,
        "fn": 1,
        "n_ground_truth": 2,
        "n_predictions": 1,
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
    }
    assert (
        result["rule"] == "MEGC: inclusive-frame IoU >= 0.5, one-to-one, counts pooled over videos"
    )
    assert "linear_sum_assignment" in result["matching"]


def test_iou_exactly_half_is_a_hit_and_just_below_is_not() -> None:
    truth = [("v1", 0, 9, "micro")]
    assert megc_spotting(truth, [("v1", 0, 4, "micro")])["overall"]["tp"] == 1  # 5/10
    assert megc_spotting(truth, [("v1", 0, 3, "micro")])["overall"]["tp"] == 0  # 4/10
    # The same pair at a stricter threshold.
    assert megc_spotting(truth, [("v1", 0, 4, "micro")], iou=0.6)["overall"]["tp"] == 0


def test_assignment_is_optimal_not_greedy() -> None:
    # A=[0,9], B=[4,12]; P1=[1,9] has IoU 0.9 with A and 6/12 = 0.5 with B; P2=[0,6] has IoU
    # 0.7 with A and 3/13 with B. Greedy by IoU would give A to P1 and leave P2 unmatched;
    # the optimal assignment P1-B, P2-A has two hits.
    truth = [("v1", 0, 9, "macro"), ("v1", 4, 12, "macro")]
    predictions = [("v1", 1, 9, "macro"), ("v1", 0, 6, "macro")]
    overall = megc_spotting(truth, predictions)["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (2, 0, 0)


def test_a_prediction_in_another_video_does_not_match_and_counts_pool_over_videos() -> None:
    truth = [("v1", 0, 9, "macro"), ("v2", 0, 9, "macro")]
    predictions = [("v2", 0, 9, "macro"), ("v3", 0, 9, "macro"), ("v1", 100, 110, "macro")]
    overall = megc_spotting(truth, predictions)["overall"]
    # v2 is hit; v3 has no ground truth; v1's prediction is elsewhere.
    assert (overall["tp"], overall["fp"], overall["fn"]) == (1, 2, 1)
    assert overall["precision"] == pytest.approx(1 / 3)
    assert overall["recall"] == pytest.approx(1 / 2)
    assert overall["f1"] == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


def test_types_are_scored_separately_and_overall_ignores_type() -> None:
    truth = [("v1", 0, 29, "macro"), ("v1", 50, 59, "micro")]
    # The second prediction finds the micro-expression but calls it macro.
    predictions = [("v1", 0, 29, "macro"), ("v1", 50, 59, "macro")]
    result = megc_spotting(truth, predictions)
    macro, micro = result["by_type"]["macro"], result["by_type"]["micro"]
    assert (macro["tp"], macro["fp"], macro["fn"]) == (1, 1, 0)
    assert (micro["tp"], micro["fp"], micro["fn"]) == (0, 0, 1)
    assert (micro["precision"], micro["recall"], micro["f1"]) == (0.0, 0.0, 0.0)
    overall = result["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (2, 0, 0)
    summed = result["summed_types"]
    assert (summed["tp"], summed["fp"], summed["fn"]) == (1, 1, 1)
    assert summed["f1"] == pytest.approx(0.5)
    json.dumps(result)


def test_megc_types_are_always_reported() -> None:
    result = megc_spotting([("v1", 0, 9, "macro")], [])
    assert set(result["by_type"]) == {"macro", "micro"}
    assert result["by_type"]["micro"]["tp"] == 0
    assert result["overall"]["fn"] == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("v1", 9, 3, "macro"), r"prediction 0: offset 3 is before onset 9"),
        (("v1", -1, 3, "macro"), r"frames >= 0"),
        (("v1", 1.5, 3, "macro"), r"frames >= 0"),
        (("v1", 1, 3), r"expected \(video, onset, offset, type\)"),
    ],
)
def test_bad_spotting_rows_raise(row: tuple[object, ...], message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        megc_spotting([], [row])  # type: ignore[list-item]


# -- ActivityNet mAP -----------------------------------------------------------------------------

# Class "a": ground truth g1 = v1 [0, 10], g2 = v1 [20, 30], g3 = v2 [0, 10] (3 instances).
# Class "b": ground truth v1 [40, 50].
TRUTH = [
    ("v1", 0.0, 10.0, "a"),
    ("v1", 20.0, 30.0, "a"),
    ("v2", 0.0, 10.0, "a"),
    ("v1", 40.0, 50.0, "b"),
]
PREDICTIONS = [
    ("v1", 0.0, 10.0, "a", 0.9),  # p1: tIoU 1.0 with g1
    ("v1", 1.0, 10.0, "a", 0.8),  # p2: tIoU 0.9 with g1 (taken by p1), 0 with g2
    ("v1", 20.0, 29.0, "a", 0.7),  # p3: tIoU 0.9 with g2
    ("v3", 0.0, 10.0, "a", 0.6),  # p4: no ground truth in v3
    ("v2", 0.0, 10.0, "a", 0.5),  # p5: tIoU 1.0 with g3
    ("v1", 40.0, 49.0, "b", 0.9),  # q1: tIoU 0.9 with the b instance
    ("v1", 0.0, 10.0, "c", 0.9),  # class c has no ground truth: ignored
]

# Class a at tIoU 0.5: p1..p5 are TP, FP, TP, FP, TP.
#   precision 1, 1/2, 2/3, 1/2, 3/5; recall 1/3, 1/3, 2/3, 2/3, 1.
#   Monotone envelope at the recall steps 1/3, 2/3, 1: 1, 2/3, 3/5.
#   AP = 1/3 * 1 + 1/3 * 2/3 + 1/3 * 3/5 = 34/45.
# Class a at tIoU 0.95: TP, FP, FP, FP, TP (0.9 < 0.95).
#   precision 1, 1/2, 1/3, 1/4, 2/5; recall 1/3, 1/3, 1/3, 1/3, 2/3.
#   AP = 1/3 * 1 + 1/3 * 2/5 + 1/3 * 0 (recall 1 never reached) = 7/15.
# Class b: q1 is TP at 0.5 (AP 1) and FP at 0.95 (AP 0).
AP_A = {0.5: 34 / 45, 0.95: 7 / 15}
AP_B = {0.5: 1.0, 0.95: 0.0}


def test_activitynet_map_matches_the_hand_computation() -> None:
    result = activitynet_map(TRUTH, PREDICTIONS, thresholds=[0.5, 0.95])
    assert result["thresholds"] == [0.5, 0.95]
    assert result["ap_per_class"]["a"] == pytest.approx([AP_A[0.5], AP_A[0.95]])
    assert result["ap_per_class"]["b"] == pytest.approx([AP_B[0.5], AP_B[0.95]])
    map_05 = (AP_A[0.5] + AP_B[0.5]) / 2
    map_095 = (AP_A[0.95] + AP_B[0.95]) / 2
    assert result["map"] == pytest.approx([map_05, map_095])
    assert result["average_map"] == pytest.approx((map_05 + map_095) / 2)
    assert result["ignored_predictions"] == 1
    assert result["rule"].startswith("ActivityNet v1.3")
    json.dumps(result)


def test_activitynet_default_thresholds_and_input_order() -> None:
    shuffled = PREDICTIONS[::-1]
    result = activitynet_map(TRUTH, shuffled)
    assert result["thresholds"] == pytest.approx(list(np.linspace(0.5, 0.95, 10)))
    assert len(result["map"]) == 10
    assert result["map"][0] == pytest.approx((AP_A[0.5] + AP_B[0.5]) / 2)
    assert result["map"][-1] == pytest.approx((AP_A[0.95] + AP_B[0.95]) / 2)


def test_activitynet_class_without_predictions_has_zero_ap() -> None:
    result = activitynet_map(TRUTH, PREDICTIONS[:5], thresholds=[0.5])
    assert result["ap_per_class"]["b"] == [0.0]
    assert result["map"] == pytest.approx([(AP_A[0.5] + 0.0) / 2])


def test_activitynet_frames_are_inclusive() -> None:
    # Inclusive frames [0, 9] and [0, 4] are [0, 10) and [0, 5): tIoU 0.5, a hit.
    # Read as seconds, [0, 9] and [0, 4] have tIoU 4/9 < 0.5: a miss.
    truth = [("v1", 0, 9, "a")]
    predictions = [("v1", 0, 4, "a", 1.0)]
    assert activitynet_map(truth, predictions, thresholds=[0.5], unit="frames")["map"] == [1.0]
    assert activitynet_map(truth, predictions, thresholds=[0.5])["map"] == [0.0]


def test_activitynet_bad_input_raises() -> None:
    with pytest.raises(EvaluationError, match="no ground truth"):
        activitynet_map([], PREDICTIONS)
    with pytest.raises(EvaluationError, match=r"end 1\.0 must be after start 2\.0"):
        activitynet_map([("v1", 2.0, 1.0, "a")], [])
    with pytest.raises(EvaluationError, match="thresholds"):
        activitynet_map(TRUTH, PREDICTIONS, thresholds=[0.0])
    with pytest.raises(EvaluationError, match="label, score"):
        activitynet_map(TRUTH, [("v1", 0.0, 1.0, "a")])  # type: ignore[list-item]


# -- classification ------------------------------------------------------------------------------


def test_uar_and_war_on_an_imbalanced_set() -> None:
    truth = ["happy"] * 6 + ["sad"] * 3 + ["fear"]
    predicted = ["happy"] * 5 + ["sad"] + ["sad"] + ["happy"] * 2 + ["fear"]
    result = classification_scores(truth, predicted)
    # Recall: happy 5/6, sad 1/3, fear 1/1. UAR = (5/6 + 1/3 + 1) / 3 = 13/18; WAR = 7/10.
    assert result["per_class_recall"] == pytest.approx({"happy": 5 / 6, "sad": 1 / 3, "fear": 1.0})
    assert result["uar"] == pytest.approx(13 / 18)
    assert result["war"] == pytest.approx(0.7)
    assert result["labels"] == ["fear", "happy", "sad"]
    assert result["confusion_matrix"] == [[1, 0, 0], [0, 5, 1], [0, 2, 1]]
    assert result["support"] == {"fear": 1, "happy": 6, "sad": 3}
    json.dumps(result)


def test_uar_ignores_classes_absent_from_the_truth() -> None:
    result = classification_scores(["happy", "happy", "sad"], ["happy", "angry", "sad"])
    assert result["uar"] == pytest.approx((1 / 2 + 1) / 2)
    assert "angry" not in result["per_class_recall"]
    assert result["labels"] == ["angry", "happy", "sad"]


def test_classification_label_order_and_errors() -> None:
    order = ["happy", "sad", "neutral"]
    result = classification_scores(["sad", "happy"], ["sad", "sad"], labels=order)
    assert result["confusion_matrix"] == [[0, 1, 0], [0, 1, 0], [0, 0, 0]]
    with pytest.raises(EvaluationError, match="must pair up"):
        classification_scores(["happy"], [])
    with pytest.raises(EvaluationError, match="no labels"):
        classification_scores([], [])
    with pytest.raises(EvaluationError, match="angry are not in the given labels"):
        classification_scores(["angry"], ["happy"], labels=order)
