"""Benchmark: the label-format writers and readers at dataset scale.

Run from the repository root::

    .venv/bin/python bench/bench_formats.py

1. Every writer on an SDFE-LV-scale release: 1,191 videos (2 minutes at 30 fps each, three at
   200 fps in every ten), 5 passes per video with about 3 segments each, about 3 consensus
   expressions per video with their members; for ``dfew``, 16,372 clips with 10 votes each
   (DFEW's size). Baseline for the xlsx writers: openpyxl writing the very same cells (the floor
   for any writer built on openpyxl); for the others ``json.dumps`` of the consensus labels as
   plain dicts.
2. Reading back a 5,000-row CAS(ME)^2 and SAMM-LV sheet, a 5,000-row MEGC CSV and SDFE-LV sheet.
   Baseline for the xlsx readers: ``openpyxl.load_workbook`` of the same file and a walk over
   its cells (the floor for any reader built on openpyxl); for the CSV readers ``csv.reader``.

Times are the best of several repeats (``time.perf_counter``). Prints a markdown table.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import openpyxl  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import timing
from curation.formats import (
    READERS,
    WRITERS,
    ClipRecord,
    LabelRecord,
    PassRecord,
    ReleaseData,
    VideoRecord,
)

N_VIDEOS = 1_191
N_PASSES = 5
N_CLIPS = 16_372
N_ROWS = 5_000
REPEATS = 3
T = TypeVar("T")
EMOTIONS = ("happy", "sad", "neutral", "angry", "surprise", "disgust", "fear")
SCHEMA = {
    "expression_types": [{"name": "macro", "code": 1}, {"name": "micro", "code": 2}],
    "emotions": [{"name": name, "code": code} for code, name in enumerate(EMOTIONS, start=1)],
    "action_units": ["AU1", "AU2", "AU4", "AU6", "AU12"],
    "apex": True,
}


def best_time(function: Callable[[], T], repeats: int = REPEATS) -> tuple[float, T]:
    return timing.best_time(function, repeats)


def build_release(n_videos: int, per_video: int, seed: int) -> ReleaseData:
    rng = random.Random(seed)
    videos = []
    consensus: list[LabelRecord] = []
    passes: list[PassRecord] = []
    for number in range(n_videos):
        fps = 200 if number % 10 < 3 else 30
        n_frames = 120 * fps
        video = VideoRecord(
            id=number + 1,
            name=f"{number // 8 + 1:03d}_{number % 8 + 1}",
            subject=f"{number // 8 + 1:03d}",
            source="bench",
            fps_num=fps,
            fps_den=1,
            n_frames=n_frames,
            width=640,
            height=480,
            sha256="0" * 64,
        )
        videos.append(video)
        segments: dict[int, list[LabelRecord]] = {k: [] for k in range(1, N_PASSES + 1)}
        slot = n_frames // per_video
        for index in range(per_video):
            micro = rng.random() < 0.4
            length = (fps // 3 if micro else fps * 2) + rng.randrange(fps // 10 + 1)
            onset = index * slot + rng.randrange(slot - length - 20)
            offset = onset + length
            members = []
            for k in range(1, N_PASSES + 1):
                if rng.random() < 0.8:
                    jitter_on, jitter_off = rng.randint(-3, 3), rng.randint(-3, 3)
                    on, off = max(onset + jitter_on, 0), offset + jitter_off
                    members.append((k, on, off))
                    segments[k].append(
                        LabelRecord(
                            video=video.id, onset=on, offset=off, apex=None,
                            type="micro" if micro else "macro", emotion=rng.choice(EMOTIONS),
                            aus=("AU4",), pass_index=k, annotator=f"annotator{k}",
                        )
                    )  # fmt: skip
            consensus.append(
                LabelRecord(
                    video=video.id, onset=onset, offset=offset,
                    apex=None if rng.random() < 0.1 else onset + length // 2,
                    type="micro" if micro else "macro", emotion=rng.choice(EMOTIONS),
                    aus=("AU6", "AU12"), support=len(members), n_passes=N_PASSES,
                    members=tuple(members),
                )
            )  # fmt: skip
        passes += [
            PassRecord(video.id, k, f"annotator{k}", tuple(found)) for k, found in segments.items()
        ]
    subjects = sorted({video.subject for video in videos if video.subject})
    folds = tuple(
        {
            "index": index,
            "train": [s for s in subjects if int(s) % 5 != index],
            "test": [s for s in subjects if int(s) % 5 == index],
        }
        for index in range(5)
    )
    clips = []
    for number in range(N_CLIPS):
        votes: dict[str, int] = {}
        for _ in range(10):
            name = rng.choice(EMOTIONS[:3]) if rng.random() < 0.7 else rng.choice(EMOTIONS)
            votes[name] = votes.get(name, 0) + 1
        top = max(votes, key=lambda name: votes[name])
        clips.append(
            ClipRecord(
                str(number + 1), subjects[number % len(subjects)], None, None, None, votes,
                top if votes[top] >= 6 else None,
            )
        )  # fmt: skip
    return ReleaseData(
        name="bench", project_slug="bench", task_kind="spotting", label_schema=SCHEMA,
        consensus_version=1, created_at="2026-01-01T00:00:00+00:00", software_version="bench",
        split={"kind": "kfold", "k": 5, "seed": 0}, folds=folds, videos=tuple(videos),
        consensus=tuple(consensus), passes=tuple(passes), clips=tuple(clips),
    )  # fmt: skip


def plain_json(release: ReleaseData) -> bytes:
    labels = [
        {"video": lab.video, "onset": lab.onset, "offset": lab.offset, "type": lab.type}
        for lab in release.consensus
    ]
    return json.dumps(labels).encode()


def openpyxl_walk(data: bytes) -> int:
    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return sum(1 for sheet in workbook.worksheets for _ in sheet.iter_rows(values_only=True))


def sheet_cells(data: bytes) -> list[tuple[str, list[tuple[object, ...]]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in workbook]


def openpyxl_save(sheets: list[list[tuple[str, list[tuple[object, ...]]]]]) -> bytes:
    out = io.BytesIO()
    for book in sheets:
        workbook = openpyxl.Workbook(write_only=False)
        for title, rows in book:
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
        workbook.save(out)
    return out.getvalue()


def csv_walk(data: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(data.decode())))


def main() -> None:
    release = build_release(N_VIDEOS, 3, seed=1)
    n_segments = sum(len(item.segments) for item in release.passes)
    print(
        f"release: {len(release.videos):,} videos, {len(release.consensus):,} consensus "
        f"expressions, {n_segments:,} pass segments, {len(release.clips):,} clips; "
        f"best of {REPEATS}\n"
    )
    json_s, _ = best_time(partial(plain_json, release))
    print("| writer | files | MiB | time (ms) | baseline | baseline (ms) | ratio |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for name, writer in WRITERS.items():
        seconds, files = best_time(partial(writer, release))
        size = sum(len(data) for data in files.values()) / 2**20
        workbooks = [data for file, data in files.items() if file.endswith(".xlsx")]
        if workbooks:
            # The floor for an xlsx writer: openpyxl writing the very same cells.
            cells = [sheet_cells(data) for data in workbooks]
            floor_s, _ = best_time(partial(openpyxl_save, cells))
            baseline = "openpyxl save of the same cells"
        else:
            floor_s, baseline = json_s, "json.dumps of the labels"
        print(
            f"| {name} | {len(files)} | {size:.2f} | {seconds * 1e3:.1f} | {baseline} "
            f"| {floor_s * 1e3:.1f} | {seconds / floor_s:.2f}x |"
        )

    # N_ROWS consensus rows: N_ROWS / 5 videos x 5 expressions.
    sheet_release = build_release(N_ROWS // 5, 5, seed=2)
    print(f"\nreading {len(sheet_release.consensus):,}-row sheets\n")
    print("| reader | rows | time (ms) | baseline | baseline (ms) | ratio |")
    print("|---|---:|---:|---|---:|---:|")
    for name, file, baseline_name, walk in (
        ("casme2", "casme2.xlsx", "openpyxl load + walk", openpyxl_walk),
        ("samm_lv", "samm_lv.xlsx", "openpyxl load + walk", openpyxl_walk),
        ("sdfe_lv", "sdfe_lv.csv", "csv.reader", csv_walk),
        ("megc", "megc.csv", "csv.reader", csv_walk),
    ):
        files = WRITERS[name](sheet_release)
        seconds, result = best_time(partial(READERS[name], files, sheet_release.videos))
        assert len(result.labels) == len(sheet_release.consensus)
        floor_s, _ = best_time(partial(walk, files[file]))
        print(
            f"| {name} | {len(result.labels):,} | {seconds * 1e3:.1f} | {baseline_name} "
            f"| {floor_s * 1e3:.1f} | {seconds / floor_s:.2f}x |"
        )


if __name__ == "__main__":
    main()
