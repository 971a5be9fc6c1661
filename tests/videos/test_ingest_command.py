"""`manage.py ingest`: server-side files, only from inside the import roots."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.media_factory import make_video
from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def roots(tmp_path):
    inside = tmp_path / "import"
    outside = tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    with override_settings(SPOTLAB_IMPORT_ROOTS=[str(inside)]):
        yield inside, outside


def test_ingest_from_an_import_root_and_report_duplicates(project, roots, capsys) -> None:
    inside, _ = roots
    path = make_video(inside, "h264_25", n_frames=10)
    call_command("ingest", "--project", "alpha", "--subject", "S07", "--source", "movie", str(path))
    video = Video.objects.select_related("subject").get()
    assert video.subject is not None
    assert (video.subject.code, video.source, video.original_name) == ("S07", "movie", path.name)
    assert video.file.name == f"videos/{project.pk}/{video.uid}/source.mp4"
    assert f"video {video.pk}, ingest job {video.job_id}" in capsys.readouterr().out
    call_command("ingest", "--project", "alpha", str(path))
    assert "duplicate of video" in capsys.readouterr().out
    assert Video.objects.count() == 1


def test_paths_outside_the_roots_are_refused(project, roots) -> None:
    inside, outside = roots
    secret = make_video(outside, "h264_25", n_frames=10)
    with pytest.raises(CommandError, match="outside the import roots"):
        call_command("ingest", "--project", "alpha", str(secret))
    with pytest.raises(CommandError, match="outside the import roots"):
        call_command("ingest", "--project", "alpha", str(inside / ".." / "elsewhere" / secret.name))
    (inside / "escape.mp4").symlink_to(secret)
    with pytest.raises(CommandError, match="outside the import roots"):
        call_command("ingest", "--project", "alpha", str(inside / "escape.mp4"))
    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command("ingest", "--project", "nope", str(secret))
    with pytest.raises(CommandError, match="is not a file"):
        call_command("ingest", "--project", "alpha", str(inside / "missing.mp4"))
    assert Video.objects.count() == 0
