"""A spotting project of generated face videos whose consensus is the known truth.

Shared by the platform tests of features, models and pre-label runs: the files are generated
once per module (``face_clips``), the database rows per test (``face_project``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotation.models import Assignment, PassStatus, Segment
from core.models import Membership, Project, Role
from curation.models import Release
from curation.services import consensus_build, release_create
from tests.conftest import make_user
from tests.inference.face_factory import Event, FaceVideoTruth, make_face_video
from videos.models import Subject, Video, VideoStatus
from videos.storage import save_file

FPS = 30
SECONDS = 8


@dataclass(frozen=True)
class Clip:
    subject: str
    truth: FaceVideoTruth

    @property
    def rows(self) -> list[tuple[int, int, str]]:
        return [(e.onset, e.offset, e.kind) for e in self.truth.events]


def make_clips(folder: Path, count: int = 6) -> list[Clip]:
    """``count`` face videos of 8 s at 30 fps, two subjects' worth per three, each with one
    macro mouth movement and one micro brow raise at different times, blinks and drift."""
    clips = []
    for number in range(count):
        macro_at = 40 + 17 * number
        micro_at = 150 + 9 * number
        events = [
            Event("macro", macro_at, macro_at + 36, region="mouth"),
            Event("micro", micro_at, micro_at + 11, region="brows", amplitude_px=1.2),
        ]
        truth = make_face_video(
            folder / f"clip{number}.mp4",
            fps=FPS,
            seconds=SECONDS,
            size=160,
            events=events,
            blinks=[20 + 5 * number, 120, 200],
            drift_px_per_s=0.5,
            seed=number,
        )
        clips.append(Clip(subject=f"s{number % 3 + 1}", truth=truth))
    return clips


def ready_video(project: Project, clip: Clip, number: int) -> Video:
    """A ready video of ``clip`` (stored like an ingest stores it; no proxy is needed here)."""
    subject, _ = Subject.objects.get_or_create(project=project, code=clip.subject)
    video = Video.objects.create(
        project=project, subject=subject, sha256=f"{number:064d}", status=VideoStatus.READY,
        n_frames=clip.truth.n_frames, fps_num=FPS, fps_den=1, width=clip.truth.size,
        height=clip.truth.size, original_name=clip.truth.path.name,
    )  # fmt: skip
    video.file.name = save_file(video.storage_name("original", ".mp4"), clip.truth.path)
    video.save(update_fields=["file"])
    return video


def face_project(people: dict[str, Any], project: Project, clips: list[Clip]) -> list[Video]:
    """The clips as ready videos of ``project``, each with two submitted passes that mark the
    true events exactly, and consensus version 1 (which is then the truth)."""
    annotators = []
    for name in ("ann1", "ann2"):
        user = make_user(name)
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        annotators.append(user)
    videos = []
    for number, clip in enumerate(clips):
        video = ready_video(project, clip, number)
        for index, user in enumerate(annotators, start=1):
            assignment = Assignment.objects.create(
                video=video, annotator=user, pass_index=index, status=PassStatus.SUBMITTED
            )
            for event_index, (onset, offset, kind) in enumerate(clip.rows):
                Segment.objects.create(
                    assignment=assignment, client_id=f"e{event_index}", onset=onset,
                    offset=offset, type=kind,
                )  # fmt: skip
        videos.append(video)
    consensus_build(project=project, by=people["curator"])
    return videos


def release_of(people: dict[str, Any], project: Project) -> Release:
    """A release split by subject into three folds (fold 0: four training, two held out)."""
    return release_create(
        project=project,
        by=people["curator"],
        name="faces",
        split={"kind": "kfold", "k": 3, "seed": 0},
    )
