"""A small world for the access tests: two annotators' passes in a spotting project and a clip
project, a project none of them belongs to, and markers that must never cross between passes.

Every object an endpoint can name by id exists in the caller's project and in the foreign one,
so that a 404 there means "refused", not "no such row".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User

from annotation.models import Assignment, PassEvent, PassMode, PassStatus, Segment, Vote
from core.models import Job, Membership, Project, Role, TaskKind
from core.services import project_create
from curation.models import ConsensusVersion, Release
from curation.services import consensus_build, release_create, release_export
from inference.models import ModelKind, Proposal, SpotterModel
from tests.conftest import make_user
from videos.models import Subject, Video, VideoStatus


@dataclass(frozen=True)
class Marks:
    """What one annotator writes into their passes: none of it may reach the other."""

    username: str
    client_ids: tuple[str, ...]
    note: str
    caption: str
    label: str


MARKERS = {
    "ann_mine": Marks(
        "ann_mine", ("MINE-seg-1", "MINE-seg-2"), "MINE-private-note", "MINE-private-caption",
        "happy",
    ),
    "ann_theirs": Marks(
        "ann_theirs", ("THEIRS-seg-1", "THEIRS-seg-2"), "THEIRS-private-note",
        "THEIRS-private-caption", "disgust",
    ),
}  # fmt: skip


def leaks_of(annotator: str, body: str) -> list[str]:
    """The markers of ``annotator``'s passes that appear in ``body`` (a response's text)."""
    marks = MARKERS[annotator]
    found = [
        text
        for text in (marks.username, *marks.client_ids, marks.note, marks.caption)
        if text in body
    ]
    # A vote's label, or a distribution that counts it; the class names alone are the schema.
    label = re.escape(marks.label)
    if re.search(rf'"label"\s*:\s*"{label}"|"{label}"\s*:\s*[1-9]', body):
        found.append(f"vote label {marks.label}")
    return found


@dataclass
class World:
    users: dict[str, User]
    alpha: Project
    clips: Project
    beta: Project
    #: Path parameters per object set: ``alpha`` and ``clips`` are the annotators' projects,
    #: ``beta`` a project none of them belongs to.
    params: dict[str, dict[str, Any]] = field(default_factory=dict)


def _video(project: Project, subject: Subject, number: int, **extra: Any) -> Video:
    values: dict[str, Any] = {
        "status": VideoStatus.READY, "n_frames": 600, "fps_num": 30, "fps_den": 1,
        "width": 64, "height": 48, **extra,
    }  # fmt: skip
    return Video.objects.create(
        project=project,
        subject=subject,
        sha256=f"{project.slug}-{number}".ljust(64, "0"),
        original_name=f"{project.slug}_{number}.mp4",
        **values,
    )


def _segments(assignment: Assignment, who: str, shift: int = 0) -> None:
    marks = MARKERS[who]
    for number, client_id in enumerate(marks.client_ids):
        onset = 100 + 200 * number + shift
        Segment.objects.create(
            assignment=assignment, client_id=client_id, onset=onset, apex=onset + 5,
            offset=onset + 30, type="macro", emotion="happy", note=marks.note,
        )  # fmt: skip


def build_world() -> World:
    users = {
        name: make_user(name)
        for name in ("owner", "curator", "ann_mine", "ann_theirs", "outsider", "newcomer")
    }
    owner, curator = users["owner"], users["curator"]
    mine, theirs = users["ann_mine"], users["ann_theirs"]

    # -- alpha: spotting, two videos with both annotators' passes, consensus, release, model.
    alpha = project_create(name="Alpha", slug="alpha", by=owner, passes_per_item=2)
    for user, role in ((curator, Role.CURATOR), (mine, Role.ANNOTATOR), (theirs, Role.ANNOTATOR)):
        Membership.objects.create(project=alpha, user=user, role=role)
    subjects = [Subject.objects.create(project=alpha, code=code) for code in ("s1", "s2")]
    videos = [_video(alpha, subjects[number], number) for number in range(2)]
    pending = _video(alpha, subjects[0], 9, status=VideoStatus.PROCESSING, n_frames=None)
    for video in videos:
        for index, (user, who) in enumerate(((mine, "ann_mine"), (theirs, "ann_theirs")), 1):
            assignment = Assignment.objects.create(
                video=video, annotator=user, pass_index=index, status=PassStatus.SUBMITTED
            )
            _segments(assignment, who, shift=index)
            PassEvent.objects.create(assignment=assignment, kind="submitted", by=user)
    consensus_build(project=alpha, by=curator)
    release = release_create(project=alpha, by=curator, name="v1", split={"kind": "loso"})
    release_export(release_id=release.pk, format_name="native", progress=lambda f, m: None)
    # ann_mine's pass of the first video is open again (to be edited), blind.
    my_pass = Assignment.objects.get(video=videos[0], annotator=mine)
    my_pass.status, my_pass.submitted_at = PassStatus.OPEN, None
    my_pass.save()
    model = SpotterModel.objects.create(
        project=alpha, version=1, kind=ModelKind.BASELINE, name="baseline-1", release=release
    )
    Proposal.objects.create(video=videos[0], model=model, onset=90, offset=130, type="macro",
                            score=0.9)  # fmt: skip
    job = Job.objects.create(kind="ingest", task_name="videos.tasks.ingest", project=alpha,
                             created_by=curator)  # fmt: skip

    # -- clips: clip classification, one clip voted by both (ann_mine's vote still open).
    clips = project_create(
        name="Clips", slug="clips", by=owner, task_kind=TaskKind.CLIP_CLASSIFICATION,
        passes_per_item=2,
    )  # fmt: skip
    for user, role in ((curator, Role.CURATOR), (mine, Role.ANNOTATOR), (theirs, Role.ANNOTATOR)):
        Membership.objects.create(project=clips, user=user, role=role)
    clip_subject = Subject.objects.create(project=clips, code="c1")
    clip = _video(clips, clip_subject, 0, n_frames=30)
    clip_passes = {}
    for index, (user, who) in enumerate(((mine, "ann_mine"), (theirs, "ann_theirs")), 1):
        submitted = who == "ann_theirs"
        assignment = Assignment.objects.create(
            video=clip, annotator=user, pass_index=index,
            status=PassStatus.SUBMITTED if submitted else PassStatus.OPEN,
        )  # fmt: skip
        Vote.objects.create(
            assignment=assignment,
            label=MARKERS[who].label,
            intensity=3,
            caption={"emotion": MARKERS[who].caption, "actions": ""},
        )
        clip_passes[who] = assignment

    # -- beta: a project of the outsider only, with one of everything.
    beta = project_create(name="Beta", slug="beta", by=users["outsider"], passes_per_item=1)
    beta_subject = Subject.objects.create(project=beta, code="b1")
    beta_video = _video(beta, beta_subject, 0)
    beta_pass = Assignment.objects.create(
        video=beta_video, annotator=users["outsider"], pass_index=1, mode=PassMode.ASSISTED
    )
    beta_version = ConsensusVersion.objects.create(project=beta, number=1, method="median")
    beta_release = Release.objects.create(
        project=beta, name="b1", consensus_version=beta_version, split={"kind": "loso"},
        software_version="0", data_file="none", data_sha256="0" * 64,
    )  # fmt: skip
    beta_model = SpotterModel.objects.create(
        project=beta, version=1, kind=ModelKind.BASELINE, name="beta-1"
    )
    beta_job = Job.objects.create(kind="ingest", task_name="videos.tasks.ingest", project=beta,
                                  created_by=users["outsider"])  # fmt: skip

    common = {"index": 0, "format_name": "native"}
    world = World(users=users, alpha=alpha, clips=clips, beta=beta)
    world.params = {
        "alpha": {
            **common, "slug": "alpha", "video_id": videos[0].pk, "assignment_id": my_pass.pk,
            "release_id": release.pk, "username": "ann_theirs", "job_id": str(job.pk),
            "model_id": model.pk,
        },
        "alpha_pending": {"video_id": pending.pk},
        "clips": {
            **common, "slug": "clips", "video_id": clip.pk,
            "assignment_id": clip_passes["ann_mine"].pk, "release_id": release.pk,
            "username": "ann_theirs", "job_id": str(job.pk), "model_id": model.pk,
        },
        "beta": {
            **common, "slug": "beta", "video_id": beta_video.pk, "assignment_id": beta_pass.pk,
            "release_id": beta_release.pk, "username": "outsider", "job_id": str(beta_job.pk),
            "model_id": beta_model.pk,
        },
    }  # fmt: skip
    return world
