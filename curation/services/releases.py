"""Releases: freeze a consensus version, export it in the benchmarks' formats, cut its clips.

A release is written once, at creation, into ``release.json`` (the lossless native format) in
storage; its sha256 is kept on the row. Exports and clips read that file, never the live
tables, so nothing done to the project afterwards can change what a release contains.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotation.models import Assignment, PassStatus
from annotation.models import Segment as PassSegment
from core.errors import Conflict, NotFound, SpotlabError
from core.models import Project, TaskKind
from curation.formats import (
    ClipRecord,
    LabelRecord,
    PassRecord,
    ReleaseData,
    VideoRecord,
    write_release,
)
from curation.formats.native import load_native
from curation.formats.registry import FORMAT_NAMES
from curation.matching import match_pair
from curation.models import (
    ConsensusSegment,
    ConsensusVersion,
    Release,
    ReleaseExport,
    release_path,
)
from curation.services.records import subject_of, video_record
from curation.services.votes import clip_release_parts
from curation.splits import SplitError, SplitItem, make_split
from curation.types import Segment
from videos.frames import stored_probe
from videos.media.clips import cut_clip, export_frames
from videos.models import Video, VideoStatus
from videos.storage import local_path, save_or_clean

#: The software version written into every release (the project's own version).
SOFTWARE_VERSION = "0.1.0"
#: Exports that are not label formats.
CLIPS_FORMAT = "clips"

Progress = Callable[[float, str], None]


def _software_version() -> str:
    try:
        return metadata.version("spotlab")
    except metadata.PackageNotFoundError:
        return SOFTWARE_VERSION


def _clips(
    consensus: list[LabelRecord],
    records: dict[int, VideoRecord],
    member_emotions: dict[int, list[str]],
    rows: list[ConsensusSegment],
) -> tuple[ClipRecord, ...]:
    """Every consensus interval as a clip, its votes the members' emotions; a single label
    when one emotion has a strict majority of the members (DFEW-style, from spotting)."""
    clips = []
    for label, row in zip(consensus, rows, strict=True):
        votes = Counter(member_emotions.get(row.pk, []))
        top = votes.most_common(1)
        single = top[0][0] if top and 2 * top[0][1] > max(row.support, 1) else None
        record = records[label.video]
        clips.append(
            ClipRecord(
                name=f"{record.name}_{label.onset:06d}_{label.offset:06d}",
                subject=record.subject,
                video=label.video,
                onset=label.onset,
                offset=label.offset,
                votes=dict(sorted(votes.items())),
                label=single,
            )
        )
    return tuple(clips)


def _spotting_parts(
    version: ConsensusVersion, videos: list[Video], records: dict[int, VideoRecord]
) -> tuple[tuple[LabelRecord, ...], tuple[PassRecord, ...], tuple[ClipRecord, ...]]:
    """The consensus version's segments (with their members), every submitted pass of the
    videos, and each consensus interval as a clip voted on by its members' emotions."""
    rows = list(
        ConsensusSegment.objects.filter(version=version).order_by("video_id", "onset", "offset")
    )
    passes = list(
        Assignment.objects.filter(video__in=videos, status=PassStatus.SUBMITTED)
        .select_related("annotator")
        .order_by("video_id", "pass_index")
    )
    segments = list(
        PassSegment.objects.filter(assignment__in=passes).order_by("onset", "offset", "pk")
    )
    by_pass: dict[int, list[PassSegment]] = {}
    for segment in segments:
        by_pass.setdefault(segment.assignment_id, []).append(segment)
    pass_index = {p.pk: p.pass_index for p in passes}
    member_of = {segment.pk: segment for segment in segments}

    consensus: list[LabelRecord] = []
    member_emotions: dict[int, list[str]] = {}
    for row in rows:
        members = sorted(
            (pass_index[member.assignment_id], member.onset, member.offset)
            for member in (member_of.get(i) for i in row.member_segment_ids)
            if member is not None
        )
        member_emotions[row.pk] = [
            member.emotion
            for member in (member_of.get(i) for i in row.member_segment_ids)
            if member is not None and member.emotion
        ]
        consensus.append(
            LabelRecord(
                video=row.video_id,
                onset=row.onset,
                offset=row.offset,
                apex=row.apex,
                type=row.type,
                emotion=row.emotion,
                aus=tuple(row.aus),
                support=row.support,
                n_passes=row.n_passes,
                members=tuple(members),
            )
        )
    pass_records = tuple(
        PassRecord(
            video=p.video_id,
            pass_index=p.pass_index,
            annotator=p.annotator.username,
            segments=tuple(
                LabelRecord(
                    video=p.video_id,
                    onset=s.onset,
                    offset=s.offset,
                    apex=s.apex,
                    type=s.type,
                    emotion=s.emotion,
                    aus=tuple(s.aus),
                    pass_index=p.pass_index,
                    annotator=p.annotator.username,
                )
                for s in by_pass.get(p.pk, [])
            ),
        )
        for p in passes
    )
    clips = _clips(consensus, records, member_emotions, rows)
    return tuple(consensus), pass_records, clips


def release_data(
    *, project: Project, version: ConsensusVersion | None, name: str, split: dict[str, Any]
) -> tuple[ReleaseData, dict[str, Any]]:
    """Read what a release freezes and split it; returns the data and the split (with
    per-item folds).

    A spotting release freezes a consensus ``version``, its videos' submitted passes and the
    subjects; its videos are split. A clip-classification release (``version`` None) freezes
    every ready clip with its vote distribution and single label, and every vote; its
    single-labelled clips are split (by subject, stratified by label), as DFEW's folds are.
    """
    videos = list(
        Video.objects.filter(project=project, status=VideoStatus.READY)
        .select_related("subject")
        .order_by("pk")
    )
    records = {video.pk: video_record(video) for video in videos}
    if version is None:
        consensus: tuple[LabelRecord, ...] = ()
        clips, pass_records = clip_release_parts(project, videos)
        labels = {clip.video: clip.label for clip in clips if clip.label is not None}
        if videos and not labels:
            raise SpotlabError(
                "No clip is single-labelled yet, so there is nothing to split and release.",
                code="empty_release",
            )
    else:
        consensus, pass_records, clips = _spotting_parts(version, videos, records)
        # Stratify a video by its most frequent consensus type, where it has any.
        types: dict[int, Counter[str]] = {}
        for label in consensus:
            types.setdefault(label.video, Counter())[label.type] += 1
        labels = {video: counts.most_common(1)[0][0] for video, counts in types.items()}
    items = [
        SplitItem(
            item_id=record.id,
            subject=subject_of(record),
            label=labels.get(record.id),
            attributes={key: str(value) for key, value in record.subject_attributes.items()},
        )
        for record in records.values()
        if version is not None or record.id in labels
    ]
    if not items:
        raise SpotlabError("The project has no ready video to release.", code="empty_release")
    try:
        result = make_split(items, split)
    except SplitError as error:
        raise SpotlabError(str(error), code="bad_split") from error
    folds = tuple(
        {"index": fold.index, "train": list(fold.train_subjects), "test": list(fold.test_subjects)}
        for fold in result.folds
    )
    data = ReleaseData(
        name=name,
        project_slug=project.slug,
        task_kind=project.task_kind,
        label_schema=project.label_schema,
        consensus_version=version.number if version is not None else 0,
        created_at=timezone.now().isoformat(timespec="seconds"),
        software_version=_software_version(),
        split=dict(result.spec),
        folds=folds,
        videos=tuple(records.values()),
        consensus=consensus,
        passes=pass_records,
        clips=clips,
    )
    return data, result.to_jsonable()


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def release_create(
    *,
    project: Project,
    by: AbstractBaseUser,
    name: str,
    split: dict[str, Any],
    consensus_version: int | None = None,
) -> Release:
    """Freeze ``consensus_version`` (default: the latest) with its passes, the agreement
    figures, the split and the software version; in a clip-classification project, the clips'
    votes instead (there is no consensus version). Names are unique per project (409)."""
    versions = ConsensusVersion.objects.filter(project=project)
    clip_project = project.task_kind == TaskKind.CLIP_CLASSIFICATION
    version = (
        None
        if clip_project
        else versions.filter(number=consensus_version).first()
        if consensus_version is not None
        else versions.order_by("-number").first()
    )
    if version is None and not clip_project:
        raise NotFound(
            "No consensus has been built for this project yet: build one, then release it."
            if consensus_version is None
            else f"No consensus version {consensus_version}."
        )
    if Release.objects.filter(project=project, name=name).exists():
        raise Conflict(f"A release named '{name}' already exists.", code="release_exists")
    data, split_result = release_data(project=project, version=version, name=name, split=split)
    files = write_release("native", data)
    content = files["release.json"]
    with transaction.atomic():
        release = Release(
            project=project,
            name=name,
            consensus_version=version,
            split=split_result["spec"],
            folds=split_result["folds"],
            software_version=data.software_version,
            data_sha256=sha256_hex(content),
            counts={
                "videos": len(data.videos),
                "subjects": split_result["n_subjects"],
                "consensus_segments": len(data.consensus),
                "passes": len(data.passes),
                "pass_segments": sum(len(p.segments) for p in data.passes),
                "clips": len(data.clips),
                "single_labelled": sum(1 for clip in data.clips if clip.label is not None),
            },
            created_by_id=by.pk,
        )
        release.data_file = save_or_clean(
            release_path(release, "release.json"), ContentFile(content)
        )
        try:
            with transaction.atomic():
                release.save()
        except IntegrityError as error:
            default_storage.delete(release.data_file)
            raise Conflict(
                f"A release named '{name}' already exists.", code="release_exists"
            ) from error
    return release


def release_load(release: Release) -> ReleaseData:
    """The frozen data of ``release``, checked against the sha256 recorded when it was made."""
    with default_storage.open(release.data_file, "rb") as handle:
        content = handle.read()
    if sha256_hex(content) != release.data_sha256:
        raise SpotlabError(
            f"release.json of release {release.pk} does not match its recorded sha256.",
            code="release_corrupt",
        )
    return load_native({"release.json": content})


def _zip(files: dict[str, bytes]) -> bytes:
    """A deterministic zip (fixed dates, sorted names): the same files give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _manifest(release: Release, format_name: str, files: dict[str, bytes]) -> dict[str, Any]:
    return {
        "release": release.name,
        "project": release.project.slug,
        "format": format_name,
        "consensus_version": (
            release.consensus_version.number if release.consensus_version is not None else None
        ),
        "split": release.split,
        "software_version": release.software_version,
        "release_json_sha256": release.data_sha256,
        "files": {
            name: {"sha256": sha256_hex(data), "bytes": len(data)} for name, data in files.items()
        },
    }


def _store_export(
    release: Release, format_name: str, files: dict[str, bytes], extra: dict[str, Any]
) -> ReleaseExport:
    manifest = {**_manifest(release, format_name, files), **extra}
    archive = _zip({**files, "MANIFEST.json": json.dumps(manifest, indent=2).encode() + b"\n"})
    name = save_or_clean(release_path(release, f"exports/{format_name}.zip"), ContentFile(archive))
    try:
        with transaction.atomic():
            return ReleaseExport.objects.create(
                release=release,
                format=format_name,
                file=name,
                sha256=sha256_hex(archive),
                size=len(archive),
                manifest=manifest,
            )
    except IntegrityError:
        # Another worker finished the same export first: keep theirs, drop this copy.
        default_storage.delete(name)
        return ReleaseExport.objects.get(release=release, format=format_name)


def release_export(*, release_id: int, format_name: str, progress: Progress) -> ReleaseExport:
    """The release in ``format_name`` as a zip with a MANIFEST.json (sha256 of every file);
    idempotent: an existing export of that format is returned as it is."""
    if format_name not in FORMAT_NAMES:
        raise SpotlabError(
            f"Unknown format '{format_name}'; one of {', '.join(FORMAT_NAMES)}.",
            code="unknown_format",
        )
    release = Release.objects.select_related("project", "consensus_version").get(pk=release_id)
    existing = ReleaseExport.objects.filter(release=release, format=format_name).first()
    if existing is not None:
        return existing
    progress(0.1, "Reading the frozen release")
    data = release_load(release)
    progress(0.4, f"Writing {format_name}")
    try:
        files = write_release(format_name, data)
    except ValueError as error:
        raise SpotlabError(str(error), code="export_failed") from error
    progress(0.8, "Writing the archive")
    return _store_export(release, format_name, files, {})


def release_clips(
    *,
    release_id: int,
    pad: int,
    frames: bool,
    progress: Progress,
) -> ReleaseExport:
    """Every consensus interval of the release cut frame-exactly from its source video (with
    ``pad`` frames either side, clamped), as MP4 clips or as image folders, into one zip."""
    format_name = f"{CLIPS_FORMAT}-{'frames' if frames else 'mp4'}-pad{pad}"
    release = Release.objects.select_related("project", "consensus_version").get(pk=release_id)
    existing = ReleaseExport.objects.filter(release=release, format=format_name).first()
    if existing is not None:
        return existing
    data = release_load(release)
    videos = {v.pk: v for v in Video.objects.filter(pk__in=[r.id for r in data.videos])}
    files: dict[str, bytes] = {}
    index_rows = []
    total = max(len(data.consensus), 1)
    clip_names = {(c.video, c.onset, c.offset): c.name for c in data.clips}
    with tempfile.TemporaryDirectory(prefix="spotlab-clips-") as scratch:
        for number, label in enumerate(data.consensus):
            video = videos.get(label.video)
            if video is None or not video.file:
                raise SpotlabError(
                    f"The source of video {label.video} is gone; its clips cannot be cut.",
                    code="source_missing",
                )
            name = clip_names.get(
                (label.video, label.onset, label.offset),
                f"{label.video}_{label.onset:06d}_{label.offset:06d}",
            )
            source = local_path(video.file.name)
            probe = stored_probe(video)
            first, last = label.onset, label.offset
            if frames:
                target = Path(scratch) / name
                written = export_frames(
                    source, first, last, target, pad=pad, n_frames=video.n_frames,
                    probe_result=probe,
                )  # fmt: skip
                for image in written.files:
                    files[f"frames/{name}/{image}"] = (target / image).read_bytes()
                first, last = written.first_frame, written.last_frame
            else:
                target = Path(scratch) / f"{name}.mp4"
                clip = cut_clip(
                    source, first, last, target, fps_num=video.fps_num or 1,
                    fps_den=video.fps_den or 1, pad=pad, n_frames=video.n_frames,
                    probe_result=probe,
                )  # fmt: skip
                files[f"clips/{name}.mp4"] = target.read_bytes()
                first, last = clip.first_frame, clip.last_frame
            index_rows.append(f"{name},{label.video},{first},{last},{label.type},{label.emotion}")
            progress((number + 1) / total * 0.9, f"Cut {number + 1} of {total} clips")
    files["clips.csv"] = (
        "name,video,first_frame,last_frame,type,emotion\n" + "\n".join(index_rows) + "\n"
    ).encode()
    return _store_export(
        release,
        format_name,
        files,
        {"frame_base": "first_frame/last_frame are 0-based source frames, padding included"},
    )


def _changed(old: LabelRecord, new: LabelRecord) -> list[str]:
    return [
        field
        for field in ("onset", "offset", "apex", "type", "emotion", "aus")
        if getattr(old, field) != getattr(new, field)
    ]


def release_diff(*, old: Release, new: Release) -> dict[str, Any]:
    """Consensus segments added, removed and changed from ``old`` to ``new``: per video (by
    sha256, so that the same recording matches across projects), segments are paired by the
    optimal one-to-one matching at IoU >= 0.5; a pair whose fields differ is "changed"."""
    before, after = release_load(old), release_load(new)
    key_before = {v.id: v.sha256 for v in before.videos}
    key_after = {v.id: v.sha256 for v in after.videos}
    name_of = {v.sha256: v.name for v in (*before.videos, *after.videos)}
    grouped: dict[str, tuple[list[LabelRecord], list[LabelRecord]]] = {}
    for label in before.consensus:
        grouped.setdefault(key_before[label.video], ([], []))[0].append(label)
    for label in after.consensus:
        grouped.setdefault(key_after[label.video], ([], []))[1].append(label)

    def describe(label: LabelRecord) -> dict[str, Any]:
        return {
            "onset": label.onset, "offset": label.offset, "apex": label.apex,
            "type": label.type, "emotion": label.emotion, "aus": list(label.aus),
        }  # fmt: skip

    added, removed, changed = [], [], []
    unchanged = 0
    for sha, (old_labels, new_labels) in sorted(grouped.items()):
        pairs = match_pair(
            [Segment(x.onset, x.offset) for x in old_labels],
            [Segment(x.onset, x.offset) for x in new_labels],
        )
        paired_old = {pair.index_a for pair in pairs}
        paired_new = {pair.index_b for pair in pairs}
        video = name_of[sha]
        for pair in pairs:
            a, b = old_labels[pair.index_a], new_labels[pair.index_b]
            fields = _changed(a, b)
            if fields:
                changed.append(
                    {"video": video, "fields": fields, "old": describe(a), "new": describe(b)}
                )
            else:
                unchanged += 1
        removed += [
            {"video": video, **describe(x)} for i, x in enumerate(old_labels) if i not in paired_old
        ]
        added += [
            {"video": video, **describe(x)} for i, x in enumerate(new_labels) if i not in paired_new
        ]
    return {
        "old": old.pk,
        "new": new.pk,
        "added": added,
        "removed": removed,
        "changed": changed,
        "unchanged": unchanged,
    }
