"""Stored agreement figures, recomputed when the submitted passes of a video change."""

from __future__ import annotations

from django.db import models

from videos.models import Video


class VideoAgreement(models.Model):
    """The agreement statistics of one video's submitted passes.

    ``inputs_sha256`` identifies the passes and segments they were computed from, so that a
    recomputation with the same inputs is skipped. ``frame_alpha`` (nominal, on frame labels)
    is kept as a column for sorting the curators' queue; None where alpha is undefined.
    """

    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="agreement")
    inputs_sha256 = models.CharField(max_length=64)
    n_passes = models.PositiveSmallIntegerField()
    frame_alpha = models.FloatField(null=True, blank=True)
    mean_pairwise_f1 = models.FloatField(null=True, blank=True)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["video_id"]

    def __str__(self) -> str:
        return f"agreement of video {self.video_id} ({self.n_passes} passes)"
