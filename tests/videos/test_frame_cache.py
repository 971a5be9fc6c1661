"""The per-process decoder cache under concurrent requests for more videos than it holds:
every frame is the right one, and no request decodes with a decoder evicted under it."""

from __future__ import annotations

import random
import threading
import uuid
from pathlib import Path

import pytest

from tests import media_factory as factory
from tests.conftest import ingested_video
from videos import frames
from videos.models import Video

pytestmark = pytest.mark.django_db


def test_many_videos_many_threads_every_frame_exact(project, tmp_path: Path) -> None:
    first = ingested_video(project, factory.make_video(tmp_path, "h264_30", n_frames=48), "c")
    # Twice as many videos as open decoders (each its own cache key, same file).
    videos = [first]
    for number in range(2 * frames._MAX_OPEN - 1):
        first.pk = None
        first.uid = uuid.uuid4()
        first.sha256 = f"{number:064d}"
        first.save()
        videos.append(Video.objects.get(pk=first.pk))
    errors: list[str] = []

    def request(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(25):
            video, index = rng.choice(videos), rng.randrange(48)
            try:
                got = factory.read_barcode(
                    factory.read_image(frames.frame_image(video, index, "png"))
                )
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")
                continue
            if got != index:
                errors.append(f"video {video.pk} frame {index} showed {got}")

    threads = [threading.Thread(target=request, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(frames._readers) == frames._MAX_OPEN
