"""Writes for videos: receiving files, ingesting them on the ``media`` queue."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from core.errors import SpotlabError, StorageError
from core.jobs import JobReporter, job_enqueue
from core.models import Project
from videos.media import MediaError, make_poster, make_proxy, make_sprite, probe
from videos.models import SourceKind, Subject, Video, VideoStatus
from videos.storage import local_path, save_file, save_or_clean
from videos.uploads import clean_original_name

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Received:
    """A video as stored, and whether it was new or a duplicate of one already in the project."""

    video: Video
    created: bool


def subject_get_or_create(
    *, project: Project, code: str, metadata: dict[str, Any] | None = None
) -> Subject:
    code = code.strip()
    if not code:
        raise SpotlabError("A subject needs a code.", fields={"subject": "Empty."})
    subject, created = Subject.objects.get_or_create(
        project=project, code=code, defaults={"metadata": metadata or {}}
    )
    if not created and metadata and subject.metadata != {**subject.metadata, **metadata}:
        subject.metadata = {**subject.metadata, **metadata}
        subject.save(update_fields=["metadata", "updated_at"])
    return subject


def _extension(original_name: str) -> str:
    """A short, safe extension for the stored copy; the name itself is never reused."""
    suffix = Path(original_name).suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ".bin"


def video_receive(
    *,
    project: Project,
    file: File[Any],
    sha256: str,
    original_name: str,
    by: AbstractBaseUser | None,
    subject_code: str = "",
    subject_metadata: dict[str, Any] | None = None,
    source: str = SourceKind.OTHER,
    extension: str | None = None,
) -> Received:
    """Store a received file as a new video of ``project`` and queue its ingest.

    The stored name is made of ids and ``extension`` (that of the container recognised from the
    content; by default a safe form of the original name's); the original name is metadata.

    A file whose sha256 is already in the project is not stored again: the existing video is
    returned with ``created=False``.
    """
    existing = Video.objects.filter(project=project, sha256=sha256).first()
    if existing is not None:
        return Received(existing, created=False)
    with transaction.atomic():
        subject = (
            subject_get_or_create(project=project, code=subject_code, metadata=subject_metadata)
            if subject_code
            else None
        )
        video = Video(
            project=project,
            subject=subject,
            source=source,
            original_name=clean_original_name(original_name),
            sha256=sha256,
            size_bytes=file.size or 0,
            created_by_id=by.pk if by is not None else None,
        )
        name = video.storage_name("source", extension or _extension(original_name))
        file.seek(0)
        video.file.name = save_or_clean(name, file)
        try:
            with transaction.atomic():
                video.save()
        except IntegrityError:
            # The same file arrived twice at once; the other request stored it.
            default_storage.delete(video.file.name)
            return Received(Video.objects.get(project=project, sha256=sha256), created=False)
        from videos.tasks import ingest

        video.job = job_enqueue(
            kind="ingest",
            task=ingest,
            kwargs={"video_id": video.pk},
            project=project,
            created_by=by,
            message="Waiting for a media worker",
        )
        video.save(update_fields=["job"])
    return Received(video, created=True)


def sha256_of_file(file: File[Any]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks(1024 * 1024):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_of_file(File(handle))


def allowed_import_path(path: str) -> Path:
    """``path`` resolved (symlinks included) and checked to lie inside a configured import
    root; anything else is refused, so that ``ingest`` cannot read arbitrary server files."""
    resolved = Path(path).resolve()
    roots = [Path(root).resolve() for root in settings.SPOTLAB_IMPORT_ROOTS]
    if not any(resolved.is_relative_to(root) for root in roots):
        raise SpotlabError(
            f"{path} is outside the import roots ({', '.join(map(str, roots))}); "
            "set SPOTLAB_IMPORT_ROOTS to allow another folder.",
            code="outside_import_roots",
        )
    if not resolved.is_file():
        raise SpotlabError(f"{path} is not a file.", code="not_a_file")
    return resolved


def video_import(
    *,
    project: Project,
    path: str,
    by: AbstractBaseUser | None,
    subject_code: str = "",
    source: str = SourceKind.OTHER,
) -> Received:
    """Ingest a file that is already on the server, from inside an import root."""
    return video_import_file(
        project=project,
        path=allowed_import_path(path),
        by=by,
        subject_code=subject_code,
        source=source,
    )


def video_import_file(
    *,
    project: Project,
    path: Path,
    by: AbstractBaseUser | None,
    subject_code: str = "",
    source: str = SourceKind.OTHER,
) -> Received:
    """Ingest the local file ``path`` (already checked, or made by Spotlab itself)."""
    with path.open("rb") as handle:
        return video_receive(
            project=project,
            file=File(handle, name=path.name),
            sha256=sha256_of(path),
            original_name=path.name,
            by=by,
            subject_code=subject_code,
            source=source,
        )


def _fail(video: Video, reason: str) -> None:
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.FAILED, error=reason)


def video_ingest(*, video_id: int, reporter: JobReporter) -> dict[str, Any]:
    """Probe, make the browser proxy, the sprite and the poster; mark the video ready.

    Idempotent: a ready video is left as it is, and a re-run after a crash overwrites the
    derived files under the same names. Bad media ends the video ``failed`` with the reason and
    fails the Job with the same reason.
    """
    video = Video.objects.get(pk=video_id)
    if video.status == VideoStatus.READY:
        return {"video": video.pk, "n_frames": video.n_frames, "skipped": True}
    source = local_path(video.file.name)
    # A run killed before it finished left its scratch folder behind: this run replaces it.
    for stale in _scratch_dir().glob(f"ingest-{video.pk}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f"ingest-{video.pk}-", dir=_scratch_dir()))
    try:
        reporter.progress(0.02, "Reading the video's timeline", force=True)
        try:
            probed = probe(source)
            reporter.progress(0.15, "Making the browser proxy", force=True)
            proxy = make_proxy(
                source,
                work / "proxy.mp4",
                probed,
                progress=lambda done: reporter.progress(
                    0.15 + 0.7 * done, "Making the browser proxy"
                ),
            )
            reporter.progress(0.86, "Making the thumbnail strip", force=True)
            sprite = make_sprite(source, work / "sprite.jpg", probed)
            make_poster(source, work / "poster.jpg", probed)
        except MediaError as exc:
            _fail(video, exc.reason)
            raise SpotlabError(exc.reason, code="bad_media") from exc
        except Exception as exc:
            _fail(video, f"The ingest stopped on an unexpected error ({type(exc).__name__}).")
            raise
        (work / "probe.json").write_text(json.dumps(probed.as_dict()))
        reporter.progress(0.95, "Storing the derived files", force=True)
        stored = _store_derived(video, work)
        with transaction.atomic():
            video = Video.objects.select_for_update().get(pk=video_id)
            video.container = probed.container_format
            video.codec = probed.video_codec
            video.width, video.height = probed.width, probed.height
            video.rotation = probed.rotation
            video.fps_num, video.fps_den = probed.fps_num, probed.fps_den
            video.time_base_num, video.time_base_den = probed.time_base_num, probed.time_base_den
            video.n_frames = probed.n_frames
            video.duration_s = probed.duration_s
            video.vfr = probed.vfr
            video.has_audio = probed.has_audio
            video.audio_codec = probed.audio_codec or ""
            video.probe_file.name = stored["probe"]
            video.proxy.name = stored["proxy"]
            video.proxy_width, video.proxy_height = proxy.width, proxy.height
            video.sprite.name = stored["sprite"]
            video.sprite_meta = sprite.as_dict()
            video.poster.name = stored["poster"]
            video.status = VideoStatus.READY
            video.error = ""
            video.save()
        return {"video": video.pk, "n_frames": probed.n_frames}
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: The files an ingest derives, by kind, with their names in the scratch folder.
DERIVED_FILES = {
    "probe": "probe.json",
    "proxy": "proxy.mp4",
    "sprite": "sprite.jpg",
    "poster": "poster.jpg",
}


def _store_derived(video: Video, work: Path) -> dict[str, str]:
    """Store the derived files under their fixed names. If storing one fails (disk full,
    permission denied), the ones already stored are deleted, the video fails with the reason,
    and so does the Job: nothing half-stored is left to be taken for a good ingest."""
    stored: dict[str, str] = {}
    try:
        for kind, file_name in DERIVED_FILES.items():
            extension = Path(file_name).suffix
            stored[kind] = save_file(video.storage_name(kind, extension), work / file_name)
    except StorageError as error:
        for name in stored.values():
            default_storage.delete(name)
        _fail(video, error.message)
        raise
    return stored


def _scratch_dir() -> Path:
    scratch = Path(settings.DATA_DIR) / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch
