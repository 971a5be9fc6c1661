"""Benchmark label formats: every writer checked by an independent reader written here (csv,
openpyxl and json directly), every reader by a write -> read round trip, malformed files by the
exact row and column of the error. Pure: no database."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from curation.formats import (
    CLIP_TYPE,
    FORMAT_NAMES,
    READERS,
    WRITERS,
    ClipRecord,
    FormatError,
    LabelRecord,
    PassRecord,
    ReleaseData,
    VideoRecord,
    read_labels,
    write_release,
)
from curation.formats.dfew import read_dfew, write_dfew
from curation.formats.megc import read_megc, write_megc
from curation.formats.native import load_native, read_native, write_native
from curation.formats.sdfe_lv import read_sdfe_lv, write_sdfe_lv
from curation.formats.sheets import (
    read_casme2,
    read_casme3,
    read_samm_lv,
    write_casme2,
    write_casme3,
    write_samm_lv,
)
from curation.formats.temporal import (
    read_activitynet,
    read_thumos14,
    write_activitynet,
    write_thumos14,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA: dict[str, Any] = {
    "expression_types": [{"name": "macro", "code": 1}, {"name": "micro", "code": 2}],
    "emotions": [
        {"name": "happy", "code": 1},
        {"name": "sad", "code": 2},
        {"name": "neutral", "code": 3},
        {"name": "angry", "code": 4},
        {"name": "surprise", "code": 5},
        {"name": "disgust", "code": 6},
        {"name": "fear", "code": 7},
    ],
    "action_units": ["AU1", "AU2", "AU4", "AU4L", "AU6", "AU9", "AU10R", "AU12", "AU20"],
    "au_intensity": False,
    "apex": True,
    "note": True,
    "guidelines": "",
}


def video(
    id: int, name: str, subject: str | None, fps_num: int, fps_den: int, n_frames: int
) -> VideoRecord:
    return VideoRecord(
        id=id,
        name=name,
        subject=subject,
        source="lab",
        fps_num=fps_num,
        fps_den=fps_den,
        n_frames=n_frames,
        width=640,
        height=480,
        sha256=f"{id:064x}",
        subject_attributes={"sex": "f", "age": 20 + id},
    )


VIDEOS = (
    video(1, "s01_v1", "s01", 30, 1, 900),
    video(2, "s01_v2", "s01", 200, 1, 4000),
    video(3, "s02_v1", "s02", 30000, 1001, 1800),
    video(4, "s03_v1", "s03", 200, 1, 6000),
)
ANNOTATORS = ("ann", "bob", "cyd", "dee", "eve")


def consensus(
    video_id: int,
    onset: int,
    offset: int,
    apex: int | None,
    type: str,
    emotion: str,
    aus: tuple[str, ...],
    members: dict[int, tuple[int, int]],
) -> LabelRecord:
    return LabelRecord(
        video=video_id,
        onset=onset,
        offset=offset,
        apex=apex,
        type=type,
        emotion=emotion,
        aus=aus,
        support=len(members),
        n_passes=5,
        members=tuple((k, on, off) for k, (on, off) in sorted(members.items())),
    )


M5 = {1: (99, 160), 2: (100, 161), 3: (100, 160), 4: (101, 158), 5: (98, 162)}
CONSENSUS = (
    consensus(1, 100, 160, 130, "macro", "happy", ("AU6", "AU12"), M5),
    # the missing apex, and a pass (3) with no member
    consensus(1, 400, 410, None, "micro", "sad", ("AU4",),
              {1: (400, 410), 2: (399, 411), 4: (401, 409)}),
    consensus(2, 1000, 1080, 1040, "micro", "surprise", ("AU1", "AU2"),
              {2: (1000, 1080), 3: (998, 1082), 4: (1001, 1079), 5: (1000, 1081)}),
    consensus(2, 2000, 2600, 2300, "macro", "disgust", ("AU9", "AU10R"),
              {k: (2000 - k, 2600 + k) for k in range(1, 6)}),
    # first and last frames of their videos
    consensus(3, 0, 50, 25, "macro", "angry", ("AU4L",), {1: (0, 50), 3: (0, 52), 5: (1, 49)}),
    consensus(4, 5900, 5999, 5950, "micro", "fear", ("AU20",),
              {2: (5900, 5999), 3: (5901, 5999), 4: (5899, 5998)}),
)  # fmt: skip


def passes() -> tuple[PassRecord, ...]:
    out = []
    for item in VIDEOS:
        for k, annotator in enumerate(ANNOTATORS, start=1):
            segments = tuple(
                LabelRecord(
                    video=item.id,
                    onset=member[1],
                    offset=member[2],
                    apex=None,
                    type=label.type,
                    emotion=label.emotion,
                    aus=label.aus,
                    pass_index=k,
                    annotator=annotator,
                )
                for label in CONSENSUS
                if label.video == item.id
                for member in label.members
                if member[0] == k
            )
            out.append(
                PassRecord(video=item.id, pass_index=k, annotator=annotator, segments=segments)
            )
    return tuple(out)


CLIP_VIDEOS = tuple(video(100 + n, str(n), subject, 25, 1, 50) for n, subject in
                    [(1, "s01"), (2, "s02"), (3, "s03"), (4, "s01"), (5, "s03")])  # fmt: skip
CLIPS = (
    ClipRecord("1", "s01", None, None, None, {"happy": 8, "sad": 2}, "happy"),
    ClipRecord("2", "s02", None, None, None, {"neutral": 6, "angry": 4}, "neutral"),
    ClipRecord("3", "s03", None, None, None, {"surprise": 7, "fear": 3}, "surprise"),
    ClipRecord("4", "s01", None, None, None, {"happy": 5, "sad": 5}, None),  # not single-labelled
    ClipRecord("5", "s03", None, None, None, {"disgust": 10}, "disgust"),
)
FOLDS = (
    {"index": 0, "train": ["s02", "s03"], "test": ["s01"]},
    {"index": 1, "train": ["s01", "s03"], "test": ["s02"]},
    {"index": 2, "train": ["s01", "s02"], "test": ["s03"]},
)


def make_release(**changes: Any) -> ReleaseData:
    fields: dict[str, Any] = {
        "name": "v1",
        "project_slug": "lab",
        "task_kind": "spotting",
        "label_schema": SCHEMA,
        "consensus_version": 3,
        "created_at": "2026-11-24T03:00:00+00:00",
        "software_version": "0.1.0",
        "split": {"kind": "kfold", "k": 3, "seed": 7},
        "folds": FOLDS,
        "videos": VIDEOS,
        "consensus": CONSENSUS,
        "passes": passes(),
        "clips": CLIPS,
    }
    fields.update(changes)
    return ReleaseData(**fields)


RELEASE = make_release()
BY_ID = {item.id: item for item in VIDEOS}
SORTED = sorted(CONSENSUS, key=lambda lab: (lab.video, lab.onset))


def au_sheet(aus: tuple[str, ...]) -> str:
    """The sheets' AU notation, written out here independently: AU4L -> L4, AU12 -> 12."""
    out = []
    for au in aus:
        code = au[2:]
        side = code[-1] if code[-1] in "LR" else ""
        out.append(f"{side}{code.rstrip('LR')}")
    return "+".join(out)


def sheet_rows(data: bytes, title: str | None = None) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[title] if title else workbook.worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def xlsx(rows: list[list[Any]], title: str = "Sheet") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def key(label: LabelRecord) -> tuple[Any, ...]:
    return (
        label.video,
        label.onset,
        label.offset,
        label.apex,
        label.type,
        label.emotion,
        label.aus,
    )


# -- writers, checked by independent readers ---------------------------------------------------


def test_registry_names_every_contract_format() -> None:
    names = ("native", "sdfe_lv", "casme2", "casme3", "samm_lv", "megc", "dfew", "activitynet",
             "thumos14")  # fmt: skip
    assert set(WRITERS) == set(READERS) == set(FORMAT_NAMES) == set(names)
    with pytest.raises(ValueError, match="unknown format 'kinetics'"):
        write_release("kinetics", RELEASE)


@pytest.mark.parametrize("name", ["native", "sdfe_lv", "casme2", "casme3", "samm_lv", "megc",
                                  "dfew", "activitynet", "thumos14"])  # fmt: skip
def test_every_writer_is_deterministic_and_states_frame_base(name: str) -> None:
    first = write_release(name, RELEASE)
    assert first == write_release(name, make_release())
    readme = first["README.txt"].decode()
    assert "200 fps: 2 video(s) (s01_v2, s03_v1)" in readme
    assert "30000/1001 (= 29.97) fps: 1 video(s) (s02_v1)" in readme
    if name in {"sdfe_lv", "casme2", "casme3", "samm_lv", "megc"}:
        assert "Frames count from 1" in readme


def test_native_writes_every_field_zero_based() -> None:
    document = json.loads(write_native(RELEASE)["release.json"])
    assert document["frame_base"] == 0
    assert document["intervals"] == "inclusive"
    assert [(c["video"], c["onset"], c["offset"], c["apex"]) for c in document["consensus"]] == [
        (1, 100, 160, 130), (1, 400, 410, None), (2, 1000, 1080, 1040), (2, 2000, 2600, 2300),
        (3, 0, 50, 25), (4, 5900, 5999, 5950),
    ]  # fmt: skip
    assert document["consensus"][1]["members"] == [[1, 400, 410], [2, 399, 411], [4, 401, 409]]
    assert document["videos"][2]["fps_num"] == 30000
    assert document["videos"][2]["fps_den"] == 1001
    assert len(document["passes"]) == 20
    assert document["clips"][3] == {
        "name": "4", "subject": "s01", "video": None, "onset": None, "offset": None,
        "votes": {"happy": 5, "sad": 5}, "label": None,
    }  # fmt: skip


def test_sdfe_lv_writes_consensus_and_every_pass_one_based() -> None:
    rows = csv_rows(write_sdfe_lv(RELEASE)["sdfe_lv.csv"])
    assert list(rows[0]) == [
        "video", "subject", "expression", "type", "emotion", "onset", "apex", "offset", "aus",
        "support", "n_passes",
        *(f"pass{k}_{part}" for k in range(1, 6) for part in ("annotator", "onset", "offset")),
    ]  # fmt: skip
    assert len(rows) == len(CONSENSUS)
    for row, label in zip(rows, SORTED, strict=True):
        video_record = BY_ID[label.video]
        assert row["video"] == video_record.name
        assert row["subject"] == video_record.subject
        assert (int(row["onset"]) - 1, int(row["offset"]) - 1) == (label.onset, label.offset)
        assert row["apex"] == ("" if label.apex is None else str(label.apex + 1))
        assert (row["type"], row["emotion"]) == (label.type, label.emotion)
        assert row["aus"] == au_sheet(label.aus)
        assert (int(row["support"]), int(row["n_passes"])) == (label.support, 5)
        members = {k: (on, off) for k, on, off in label.members}
        for k in range(1, 6):
            assert row[f"pass{k}_annotator"] == ANNOTATORS[k - 1]
            if k in members:
                assert int(row[f"pass{k}_onset"]) - 1 == members[k][0]
                assert int(row[f"pass{k}_offset"]) - 1 == members[k][1]
            else:
                assert row[f"pass{k}_onset"] == row[f"pass{k}_offset"] == ""
    assert [row["expression"] for row in rows] == ["1", "2", "1", "2", "1", "1"]


def test_casme2_writes_the_code_final_layout() -> None:
    rows = sheet_rows(write_casme2(RELEASE)["casme2.xlsx"], "code_final")
    assert rows[0] == ("Subject", "Filename", "Onset", "Apex", "Offset", "AUs",
                       "Estimated Emotion", "Expression Type", "Self-reported Emotion")  # fmt: skip
    assert rows[1:] == [
        ("s01", "s01_v1", 101, 131, 161, "6+12", "happy", "macro-expression", None),
        ("s01", "s01_v1", 401, 0, 411, "4", "sad", "micro-expression", None),
        ("s01", "s01_v2", 1001, 1041, 1081, "1+2", "surprise", "micro-expression", None),
        ("s01", "s01_v2", 2001, 2301, 2601, "9+R10", "disgust", "macro-expression", None),
        ("s02", "s02_v1", 1, 26, 51, "L4", "angry", "macro-expression", None),
        ("s03", "s03_v1", 5901, 5951, 6000, "20", "fear", "micro-expression", None),
    ]


def test_casme3_writes_one_sheet_per_type() -> None:
    data = write_casme3(RELEASE)["casme3.xlsx"]
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["MaE", "ME"]
    header = ("Subject", "Filename", "Onset", "Apex", "Offset", "AU", "Objective class",
              "Emotion", "Type")  # fmt: skip
    assert sheet_rows(data, "MaE") == [
        header,
        ("s01", "s01_v1", 101, 131, 161, "6+12", None, "happy", "MaE"),
        ("s01", "s01_v2", 2001, 2301, 2601, "9+R10", None, "disgust", "MaE"),
        ("s02", "s02_v1", 1, 26, 51, "L4", None, "angry", "MaE"),
    ]
    assert sheet_rows(data, "ME") == [
        header,
        ("s01", "s01_v1", 401, None, 411, "4", None, "sad", "ME"),
        ("s01", "s01_v2", 1001, 1041, 1081, "1+2", None, "surprise", "ME"),
        ("s03", "s03_v1", 5901, 5951, 6000, "20", None, "fear", "ME"),
    ]


def test_samm_lv_writes_notes_then_header_then_rows() -> None:
    rows = sheet_rows(write_samm_lv(RELEASE)["samm_lv.xlsx"], "FACS_Movement_Only")
    assert rows[0][0] == "SAMM Long Videos style export: release v1 (lab)"
    assert "Frames count from 1" in rows[1][0]
    assert rows[2][0] == "Frame rate: 200, 30, 30000/1001 (= 29.97) fps"
    assert rows[3] == (None,) * len(rows[3])
    assert rows[4] == ("Subject", "Filename", "Inducement Code", "Onset", "Apex", "Offset",
                       "Duration", "Type", "Action Units", "Notes")  # fmt: skip
    assert rows[5:] == [
        ("s01", "s01_v1", None, 101, 131, 161, 61, "Macro", "6+12", "emotion: happy"),
        ("s01", "s01_v1", None, 401, -1, 411, 11, "Micro - 1/2", "4", "emotion: sad"),
        ("s01", "s01_v2", None, 1001, 1041, 1081, 81, "Micro - 1/2", "1+2", "emotion: surprise"),
        ("s01", "s01_v2", None, 2001, 2301, 2601, 601, "Macro", "9+R10", "emotion: disgust"),
        ("s02", "s02_v1", None, 1, 26, 51, 51, "Macro", "L4", "emotion: angry"),
        ("s03", "s03_v1", None, 5901, 5951, 6000, 100, "Micro - 1/2", "20", "emotion: fear"),
    ]


def test_megc_writes_ground_truth_one_based() -> None:
    data = write_megc(RELEASE)["megc.csv"]
    assert data.decode().splitlines()[0] == "subject,video,onset,offset,emotion,type"
    assert [tuple(row.values()) for row in csv_rows(data)] == [
        ("s01", "s01_v1", "101", "161", "happy", "macro"),
        ("s01", "s01_v1", "401", "411", "sad", "micro"),
        ("s01", "s01_v2", "1001", "1081", "surprise", "micro"),
        ("s01", "s01_v2", "2001", "2601", "disgust", "macro"),
        ("s02", "s02_v1", "1", "51", "angry", "macro"),
        ("s03", "s03_v1", "5901", "6000", "fear", "micro"),
    ]


def test_dfew_writes_sets_from_folds_and_the_vote_sheet() -> None:
    files = write_dfew(RELEASE)
    assert sorted(files) == [
        "README.txt", "annotation.xlsx",
        *(f"set_{k}/{part}.csv" for k in (1, 2, 3) for part in ("test", "train")),
    ]  # fmt: skip
    sets = {name: [tuple(row.values()) for row in csv_rows(data)]
            for name, data in files.items() if name.endswith(".csv")}  # fmt: skip
    assert files["set_1/train.csv"].decode().splitlines()[0] == "video_name,label"
    assert sets["set_1/test.csv"] == [("1", "1")]  # clip 4 (s01) is not single-labelled
    assert sets["set_1/train.csv"] == [("2", "3"), ("3", "5"), ("5", "6")]
    assert sets["set_2/test.csv"] == [("2", "3")]
    assert sets["set_2/train.csv"] == [("1", "1"), ("3", "5"), ("5", "6")]
    assert sets["set_3/test.csv"] == [("3", "5"), ("5", "6")]
    assert sets["set_3/train.csv"] == [("1", "1"), ("2", "3")]
    assert sheet_rows(files["annotation.xlsx"]) == [
        ("order", "1happy", "2sad", "3neutral", "4angry", "5surprise", "6disgust", "7fear",
         "label"),
        (1, 8, 2, 0, 0, 0, 0, 0, 1),
        (2, 0, 0, 6, 4, 0, 0, 0, 3),
        (3, 0, 0, 0, 0, 7, 0, 3, 5),
        (4, 5, 5, 0, 0, 0, 0, 0, 0),
        (5, 0, 0, 0, 0, 0, 10, 0, 6),
    ]  # fmt: skip


def test_dfew_without_clips_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"needs clips with their votes \(ReleaseData.clips"):
        write_dfew(make_release(clips=()))


def test_activitynet_writes_seconds_from_inclusive_frames() -> None:
    document = json.loads(write_activitynet(RELEASE)["activitynet.json"])
    assert document["version"] == "VERSION 1.3"
    assert [node["nodeName"] for node in document["taxonomy"]] == ["Root", "macro", "micro"]
    database = document["database"]
    assert list(database) == ["s01_v1", "s01_v2", "s02_v1", "s03_v1"]
    assert {name: entry["subset"] for name, entry in database.items()} == {
        "s01_v1": "validation", "s01_v2": "validation", "s02_v1": "training",
        "s03_v1": "training",
    }  # fmt: skip
    entry = database["s02_v1"]
    assert entry["duration"] == pytest.approx(1800 * 1001 / 30000, abs=1e-12)
    assert entry["resolution"] == "640x480"
    assert entry["url"] == ""
    assert entry["annotations"][0]["segment"] == pytest.approx([0.0, 51 * 1001 / 30000], abs=1e-12)
    assert entry["annotations"][0]["label"] == "macro"
    segments = [(name, a["segment"], a["frames"]) for name, e in database.items()
                for a in e["annotations"]]  # fmt: skip
    for (name, segment, frames), label in zip(segments, SORTED, strict=True):
        fps = BY_ID[label.video].fps
        assert name == BY_ID[label.video].name
        assert segment == pytest.approx([label.onset / fps, (label.offset + 1) / fps], abs=1e-12)
        assert frames == [label.onset, label.offset]


def test_thumos14_writes_one_decimal_seconds_per_class_and_subset() -> None:
    files = write_thumos14(RELEASE)
    assert sorted(files) == [
        "README.txt", "annotation/Macro_test.txt", "annotation/Macro_val.txt",
        "annotation/Micro_test.txt", "annotation/Micro_val.txt",
    ]  # fmt: skip
    lines = {name: data.decode().splitlines() for name, data in files.items()}
    # s01 is the first fold's test subject -> "test"; everyone else "val".
    assert lines["annotation/Macro_test.txt"] == ["s01_v1 3.3 5.4", "s01_v2 10.0 13.0"]
    assert lines["annotation/Micro_test.txt"] == ["s01_v1 13.3 13.7", "s01_v2 5.0 5.4"]
    assert lines["annotation/Macro_val.txt"] == ["s02_v1 0.0 1.7"]
    assert lines["annotation/Micro_val.txt"] == ["s03_v1 29.5 30.0"]


# -- readers: write -> read --------------------------------------------------------------------


def test_native_round_trip_is_equal_and_byte_identical() -> None:
    files = write_native(RELEASE)
    loaded = load_native(files)
    assert loaded == RELEASE
    assert write_native(loaded) == files


def test_native_reader_maps_videos_by_name() -> None:
    targets = tuple(video(item.id + 10, item.name, item.subject, item.fps_num, item.fps_den,
                          item.n_frames) for item in VIDEOS)  # fmt: skip
    result = read_native(write_native(RELEASE), targets)
    consensus_labels = [label for label in result.labels if label.pass_index is None]
    assert [key(label) for label in consensus_labels] == [
        (lab.video + 10, *key(lab)[1:]) for lab in CONSENSUS
    ]
    assert consensus_labels[1].members == CONSENSUS[1].members
    pass_labels = [label for label in result.labels if label.pass_index is not None]
    assert len(pass_labels) == sum(len(label.members) for label in CONSENSUS)
    assert result.fps_converted is False
    assert result.clips == CLIPS


@pytest.mark.parametrize("name", ["native", "sdfe_lv", "casme2", "casme3", "samm_lv",
                                  "activitynet"])  # fmt: skip
def test_readers_give_back_the_written_intervals(name: str) -> None:
    result = read_labels(name, write_release(name, RELEASE), VIDEOS)
    consensus_labels = [label for label in result.labels if label.pass_index is None]
    assert sorted(map(key, consensus_labels)) == sorted(map(key, CONSENSUS))
    assert result.skipped == ()
    assert result.fps_converted is False


def test_sdfe_lv_reader_keeps_support_and_members() -> None:
    result = read_sdfe_lv(write_sdfe_lv(RELEASE), VIDEOS)
    assert [(lab.support, lab.n_passes, lab.members) for lab in result.labels] == [
        (lab.support, lab.n_passes, lab.members) for lab in SORTED
    ]


def test_megc_reader_gives_back_intervals_without_apex_or_aus() -> None:
    result = read_megc(write_megc(RELEASE), VIDEOS)
    assert [(lab.video, lab.onset, lab.offset, lab.type, lab.emotion) for lab in result.labels] == [
        (lab.video, lab.onset, lab.offset, lab.type, lab.emotion) for lab in SORTED
    ]


def test_casme2_reader_notes_the_missing_apex() -> None:
    result = read_casme2(write_casme2(RELEASE), VIDEOS)
    assert result.notes == ("casme2.xlsx: apex 0 or blank (not marked) in 1 row(s): 3",)


def test_dfew_reader_gives_back_votes_and_single_labels() -> None:
    result = read_dfew(write_dfew(RELEASE), CLIP_VIDEOS)
    assert [(clip.name, clip.votes, clip.label, clip.video) for clip in result.clips] == [
        (clip.name, clip.votes, clip.label, 100 + int(clip.name)) for clip in CLIPS
    ]
    assert [(lab.video, lab.onset, lab.offset, lab.type, lab.emotion, lab.support, lab.n_passes)
            for lab in result.labels] == [
        (101, 0, 49, CLIP_TYPE, "happy", 8, 10),
        (102, 0, 49, CLIP_TYPE, "neutral", 6, 10),
        (103, 0, 49, CLIP_TYPE, "surprise", 7, 10),
        (105, 0, 49, CLIP_TYPE, "disgust", 10, 10),
    ]  # fmt: skip


def test_dfew_reader_refuses_a_set_label_that_contradicts_the_vote_sheet() -> None:
    files = dict(write_dfew(RELEASE))
    files["set_2/test.csv"] = b"video_name,label\n2,4\n"
    with pytest.raises(FormatError) as caught:
        read_dfew(files, CLIP_VIDEOS)
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        "set_2/test.csv", 2, "label",
    )  # fmt: skip


def test_thumos14_reader_rounds_back_to_frames_and_says_it_is_lossy() -> None:
    result = read_thumos14(write_thumos14(RELEASE), VIDEOS)
    by_start = sorted(result.labels, key=lambda lab: (lab.video, lab.onset))
    assert [(lab.video, lab.onset, lab.offset, lab.type) for lab in by_start] == [
        (1, 99, 161, "macro"),  # 3.3 s, 5.4 s at 30 fps: 0.1 s is 3 frames
        (1, 399, 410, "micro"),
        (2, 1000, 1079, "micro"),
        (2, 2000, 2599, "macro"),
        (3, 0, 50, "macro"),
        (4, 5900, 5999, "micro"),
    ]
    for label, written in zip(by_start, SORTED, strict=True):
        tolerance = BY_ID[label.video].fps * 0.05 + 1
        assert abs(label.onset - written.onset) <= tolerance
        assert abs(label.offset - written.offset) <= tolerance
    assert result.notes == (
        "annotation: times have 0.1 s resolution, coarser than a frame at 29.97, 30, 200 fps "
        "(4 video(s)): boundaries are approximate",
    )


# -- bad input -----------------------------------------------------------------------------------

CASME2_HEADER = ["Subject", "Filename", "Onset", "Apex", "Offset", "AUs", "Estimated Emotion",
                 "Expression Type", "Self-reported Emotion"]  # fmt: skip
GOOD_CASME2 = ["s01", "s01_v1", 101, 131, 161, "6+12", "happy", "macro-expression", ""]


def casme2_error(rows: list[list[Any]]) -> FormatError:
    with pytest.raises(FormatError) as caught:
        read_casme2({"casme2.xlsx": xlsx([CASME2_HEADER, *rows])}, VIDEOS)
    return caught.value


def test_casme2_malformed_rows_name_row_and_column() -> None:
    wrong = casme2_error([GOOD_CASME2, ["s01", "s01_v1", "l2", 0, 161, "", "", "micro-expression"]])
    assert (wrong.row, wrong.column) == (3, "Onset")
    assert str(wrong) == "casme2.xlsx row 3, column Onset: 'l2' is not a frame number"
    backwards = casme2_error(
        [GOOD_CASME2, GOOD_CASME2, ["s01", "s01_v1", 50, 0, 40, "", "", "macro"]]
    )
    assert (backwards.row, backwards.column) == (4, "Offset")
    assert str(backwards) == "casme2.xlsx row 4, column Offset: offset 40 is before onset 50"
    unknown = casme2_error([["s09", "nobody_v1", 1, 2, 3, "", "", "macro"]])
    assert str(unknown) == "casme2.xlsx row 2, column Filename: unknown video 'nobody_v1'"
    subject = casme2_error([["s02", "s01_v1", 1, 2, 3, "", "", "macro"]])
    assert (subject.row, subject.column) == (2, "Subject")
    past_end = casme2_error([["s01", "s01_v1", 800, 0, 901, "", "", "macro"]])
    assert (past_end.row, past_end.column) == (2, "Offset")


def test_casme2_wrong_header_names_the_column() -> None:
    header = [*CASME2_HEADER]
    header[2] = "Onsett"
    with pytest.raises(FormatError) as caught:
        read_casme2({"casme2.xlsx": xlsx([header, GOOD_CASME2])}, VIDEOS)
    assert (caught.value.file, caught.value.row, caught.value.column) == ("casme2.xlsx", 1, "Onset")
    assert "found 'Onsett'" in str(caught.value)


def test_casme2_offset_zero_and_missing_onset_are_skipped_with_reasons() -> None:
    files = {"casme2.xlsx": xlsx([
        CASME2_HEADER,
        GOOD_CASME2,
        ["s01", "s01_v1", 401, 0, 0, "4", "sad", "micro-expression"],
        ["s01", "s01_v1", None, 0, 411, "4", "sad", "micro-expression"],
        ["s01", "s01_v1", 401, None, 411, "L4+R12", "Sad", "micro-expression"],
    ])}  # fmt: skip
    result = read_casme2(files, VIDEOS)
    assert [(skip.row, skip.reason) for skip in result.skipped] == [
        (3, "offset 0: CAS(ME)^2 marks an offset it could not determine with 0"),
        (4, "onset missing: no interval to import"),
    ]
    assert [key(lab) for lab in result.labels] == [
        (1, 100, 160, 130, "macro", "happy", ("AU6", "AU12")),
        (1, 400, 410, None, "micro", "sad", ("AU4L", "AU12R")),
    ]


def test_casme2_fps_conversion() -> None:
    # A sheet annotated at 100 fps imported onto the 200 fps video doubles every 0-based frame.
    row = ["s01", "s01_v2", 501, 521, 541, "", "surprise", "micro-expression"]
    result = read_casme2({"casme2.xlsx": xlsx([CASME2_HEADER, row])}, VIDEOS, fps=100)
    assert result.fps_converted is True
    assert key(result.labels[0]) == (2, 1000, 1080, 1040, "micro", "surprise", ())
    same = read_casme2({"casme2.xlsx": xlsx([CASME2_HEADER, row])}, VIDEOS, fps=200)
    assert same.fps_converted is False
    assert key(same.labels[0])[1:4] == (500, 540, 520)
    # 30 fps sheet onto the 29.97 fps video: round(frame * 29.97 / 30), half up.
    ntsc = ["s02", "s02_v1", 1001, None, 1501, "", "", "macro-expression"]
    converted = read_casme2({"casme2.xlsx": xlsx([CASME2_HEADER, ntsc])}, VIDEOS, fps=30)
    assert key(converted.labels[0])[1:3] == (999, 1499)


SAMM_HEADER = ["Subject", "Filename", "Inducement Code", "Onset", "Apex", "Offset", "Duration",
               "Type", "Action Units", "Notes"]  # fmt: skip
SAMM_TOP = [["SAMM Long Videos"], ["200 fps"], [], []]


def samm(rows: list[list[Any]], header: list[str] = SAMM_HEADER) -> dict[str, bytes]:
    return {"samm_lv.xlsx": xlsx([*SAMM_TOP, header, *rows], "FACS_Movement_Only")}


def test_samm_lv_fractional_and_missing_apex() -> None:
    result = read_samm_lv(samm([
        ["s03", "s03_v1", 1, 1001, 1234.5, 1301, 301, "Micro - 1/2", "R12", ""],
        ["s03", "s03_v1", 1, 2001, -1, 2101, 101, "Macro", "4+7", "emotion: fear"],
        ["s03", "s03_v1", 1, 3001, None, 3101, 101, "Macro", None, None],
        ["s03", "s03_v1", 1, 4001, 4010, -1, None, "Macro", None, None],
    ]), VIDEOS)  # fmt: skip
    assert [key(lab) for lab in result.labels] == [
        (4, 1000, 1300, 1234, "micro", "", ("AU12R",)),  # 1234.5 -> 1235 (1-based) -> 1234
        (4, 2000, 2100, None, "macro", "fear", ("AU4", "AU7")),
        (4, 3000, 3100, None, "macro", "", ()),
    ]
    assert [(skip.row, skip.reason) for skip in result.skipped] == [
        (9, "offset not marked (-1 or blank)")
    ]
    assert result.notes == (
        "samm_lv.xlsx: fractional apex rounded half up: row 6: 1234.5 -> 1235",
        "samm_lv.xlsx: apex -1 or blank (not marked) in 2 row(s)",
    )


def test_samm_lv_malformed_rows_name_row_and_column() -> None:
    good = ["s03", "s03_v1", 1, 1001, 1100, 1301, 301, "Macro", "12", ""]
    cases = [
        (["s03", "s03_v1", 1, "1o01", 1100, 1301, 301, "Macro", "", ""], 7, "Onset",
         "samm_lv.xlsx row 7, column Onset: '1o01' is not a frame number"),
        (["s03", "s03_v1", 1, 1001, 1100, 901, 301, "Macro", "", ""], 7, "Offset",
         "samm_lv.xlsx row 7, column Offset: offset 901 is before onset 1001"),
        (["s03", "s03_v9", 1, 1001, 1100, 1301, 301, "Macro", "", ""], 7, "Filename",
         "samm_lv.xlsx row 7, column Filename: unknown video 's03_v9'"),
    ]  # fmt: skip
    for bad, row, column, message in cases:
        with pytest.raises(FormatError) as caught:
            read_samm_lv(samm([good, bad]), VIDEOS)
        assert (caught.value.row, caught.value.column, str(caught.value)) == (row, column, message)
    header = [*SAMM_HEADER]
    header[5] = "Ofset"
    with pytest.raises(FormatError) as caught:
        read_samm_lv(samm([good], header), VIDEOS)
    assert (caught.value.row, caught.value.column) == (5, "Offset")
    with pytest.raises(FormatError) as caught:
        read_samm_lv({"samm_lv.xlsx": xlsx([["nothing", "here"]])}, VIDEOS)
    assert caught.value.column == "Filename"


MEGC_GOOD = "s01,s01_v1,101,161,happy,macro\n"


@pytest.mark.parametrize(
    ("body", "row", "column", "message"),
    [
        ("subject,video,onsett,offset,emotion\n" + MEGC_GOOD, 1, "onset", None),
        ("subject,video,onset,offset,emotion,type\n" + MEGC_GOOD + "s01,s01_v1,1x1,161,,\n", 3,
         "onset", "megc.csv row 3, column onset: '1x1' is not a frame number"),
        ("subject,video,onset,offset,emotion,type\n" + MEGC_GOOD + "s01,s01_v1,161,101,,\n", 3,
         "offset", "megc.csv row 3, column offset: offset 101 is before onset 161"),
        ("subject,video,onset,offset,emotion,type\n" + MEGC_GOOD * 2 + "s01,x,1,2,,\n", 4,
         "video", "megc.csv row 4, column video: unknown video 'x'"),
    ],
)  # fmt: skip
def test_megc_malformed_files_name_row_and_column(
    body: str, row: int, column: str, message: str | None
) -> None:
    with pytest.raises(FormatError) as caught:
        read_megc({"megc.csv": body.encode()}, VIDEOS)
    assert (caught.value.file, caught.value.row, caught.value.column) == ("megc.csv", row, column)
    if message is not None:
        assert str(caught.value) == message


def test_megc_accepts_the_five_column_file_and_skips_blank_boundaries() -> None:
    body = "subject,video,onset,offset,emotion\ns01,s01_v1,101,161,Happy\ns01,s01_v1,,161,\n"
    result = read_megc({"megc.csv": body.encode()}, VIDEOS)
    assert [key(lab) for lab in result.labels] == [(1, 100, 160, None, "", "happy", ())]
    assert [(skip.row, skip.reason) for skip in result.skipped] == [(3, "no onset")]
    assert result.notes == ("megc.csv: no type column: labels imported with an empty type",)


def sdfe_error(edit: dict[tuple[int, str], str]) -> FormatError:
    rows = csv_rows(write_sdfe_lv(RELEASE)["sdfe_lv.csv"])
    for (index, column), value in edit.items():
        rows[index][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with pytest.raises(FormatError) as caught:
        read_sdfe_lv({"sdfe_lv.csv": out.getvalue().encode()}, VIDEOS)
    return caught.value


def test_sdfe_lv_malformed_rows_name_row_and_column() -> None:
    letter = sdfe_error({(2, "onset"): "10O1"})
    assert str(letter) == "sdfe_lv.csv row 4, column onset: '10O1' is not a frame number"
    backwards = sdfe_error({(0, "offset"): "50"})
    assert (backwards.row, backwards.column) == (2, "offset")
    unknown = sdfe_error({(5, "video"): "s03_v2"})
    assert str(unknown) == "sdfe_lv.csv row 7, column video: unknown video 's03_v2'"
    member = sdfe_error({(1, "pass2_offset"): "300"})
    assert (member.row, member.column) == (3, "pass2_offset")
    support = sdfe_error({(1, "support"): "three"})
    assert str(support) == "sdfe_lv.csv row 3, column support: 'three' is not a count"


def test_sdfe_lv_wrong_header_names_the_column() -> None:
    body = write_sdfe_lv(RELEASE)["sdfe_lv.csv"].replace(b",emotion,", b",emotions,", 1)
    with pytest.raises(FormatError) as caught:
        read_sdfe_lv({"sdfe_lv.csv": body}, VIDEOS)
    assert (caught.value.row, caught.value.column) == (1, "emotion")
    assert "found 'emotions'" in str(caught.value)


def test_native_malformed_names_the_json_path() -> None:
    document = json.loads(write_native(RELEASE)["release.json"])
    document["consensus"][2]["offset"] = "late"
    with pytest.raises(FormatError) as caught:
        load_native({"release.json": json.dumps(document).encode()})
    assert (
        str(caught.value)
        == "release.json, column consensus[2].offset: expected an integer, got 'late'"
    )
    document["consensus"][2]["offset"] = 10
    with pytest.raises(FormatError) as caught:
        load_native({"release.json": json.dumps(document).encode()})
    assert caught.value.column == "consensus[2]"
    assert "offset (10) must be >= onset (1000)" in str(caught.value)


def test_not_a_workbook_is_a_format_error() -> None:
    with pytest.raises(FormatError) as caught:
        read_casme2({"casme2.xlsx": b"not a zip"}, VIDEOS)
    assert str(caught.value) == "casme2.xlsx: not an xlsx workbook (BadZipFile)"
    with pytest.raises(FormatError) as caught:
        read_megc({}, VIDEOS)
    assert str(caught.value) == "missing file: expected megc.csv"


def test_casme3_reader_takes_the_type_from_the_sheet_name() -> None:
    header = ["Subject", "Filename", "Onset", "Apex", "Offset", "AU", "Objective class", "Emotion"]
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "ME"
    first.append(header)
    first.append(["s01", "s01_v1", 401, None, 411, "4", "", "Sad"])
    second = workbook.create_sheet("MaE")
    second.append(header)
    second.append(["s01", "s01_v1", 101, 131, "x", "", "", "happy"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(FormatError) as caught:
        read_casme3({"casme3.xlsx": out.getvalue()}, VIDEOS)
    assert str(caught.value) == "casme3.xlsx[MaE] row 2, column Offset: 'x' is not a frame number"
    second["E2"] = 161
    out = io.BytesIO()
    workbook.save(out)
    result = read_casme3({"casme3.xlsx": out.getvalue()}, VIDEOS)
    assert [key(lab) for lab in result.labels] == [
        (1, 400, 410, None, "micro", "sad", ("AU4",)),
        (1, 100, 160, 130, "macro", "happy", ()),
    ]


def test_activitynet_reader_uses_seconds_when_frames_are_absent() -> None:
    document = json.loads(write_activitynet(RELEASE)["activitynet.json"])
    for entry in document["database"].values():
        for annotation in entry["annotations"]:
            del annotation["frames"]
    files = {"activitynet.json": json.dumps(document).encode()}
    result = read_activitynet(files, VIDEOS)
    assert sorted(map(key, result.labels)) == sorted(map(key, CONSENSUS))
    assert result.fps_converted is False


def test_activitynet_frames_are_converted_from_the_files_fps() -> None:
    document = json.loads(write_activitynet(RELEASE)["activitynet.json"])
    document["database"]["s01_v2"]["fps"] = 400.0  # frames annotated on a 400 fps copy
    result = read_activitynet({"activitynet.json": json.dumps(document).encode()}, VIDEOS)
    assert result.fps_converted is True
    on_v2 = [(lab.onset, lab.offset, lab.apex) for lab in result.labels if lab.video == 2]
    assert on_v2 == [(500, 540, 520), (1000, 1300, 1150)]
    assert result.notes[-1] == (
        "activitynet.json: frames converted from the file's frame rates to each video's "
        "frame rate (rounded half up)"
    )


def test_the_package_imports_no_django() -> None:
    code = (
        "import sys, curation.formats, curation.formats.registry; "
        "assert not [m for m in sys.modules if m.split('.')[0] in {'django', 'rest_framework'}]"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_rows_match_videos_without_extension_and_by_subject() -> None:
    targets = (
        video(7, "take1.mp4", "s01", 30, 1, 900),
        video(8, "take1.mp4", "s02", 30, 1, 900),
    )
    body = "subject,video,onset,offset,emotion\n01,take1.avi,1,2,\nS02,take1,3,4,\n"
    result = read_megc({"megc.csv": body.encode()}, targets)
    assert [(lab.video, lab.onset, lab.offset) for lab in result.labels] == [(7, 0, 1), (8, 2, 3)]
    with pytest.raises(FormatError) as caught:
        read_megc({"megc.csv": b"subject,video,onset,offset,emotion\n,take1,1,2,\n"}, targets)
    assert str(caught.value) == (
        "megc.csv row 2, column video: video name 'take1' matches 2 videos; give the subject"
    )
