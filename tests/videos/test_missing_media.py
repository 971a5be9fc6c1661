"""A ready video whose stored files have gone missing (deleted by hand, a bucket lifecycle rule)
is a 404 in the API's error shape where each file is opened, not a 500."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from tests import media_factory as factory
from tests.conftest import api_client, ingested_video

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("deleted", "url"),
    [
        ("file", "frames/3/"),
        ("probe_file", "frames/3/"),
        ("proxy", "proxy/"),
        ("sprite", "sprite/"),
        ("poster", "poster/"),
    ],
)
def test_a_missing_stored_file_is_a_404(
    people, project, tmp_path: Path, deleted: str, url: str
) -> None:
    video = ingested_video(project, factory.make_video(tmp_path, "h264_30", n_frames=12), "m")
    client = api_client(people["annotator"])
    assert client.get(f"/api/v1/videos/{video.pk}/{url}").status_code == 200
    default_storage.delete(getattr(video, deleted).name)
    # Another row on the same files is not in the decoder cache yet: it must open them.
    video.pk, video.uid, video.sha256 = None, uuid.uuid4(), "n" * 64
    video.save()
    response = client.get(f"/api/v1/videos/{video.pk}/{url}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
