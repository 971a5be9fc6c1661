"""Writes of curation: agreement and consensus (``agreement``), releases and their exports
(``releases``), label imports (``imports``)."""

from curation.services.agreement import (
    MIN_PASSES,
    consensus_adjudicate,
    consensus_build,
    submitted_passes,
    video_agreement_refresh,
)
from curation.services.clips import clips_from_release
from curation.services.imports import labels_import
from curation.services.releases import (
    release_clips,
    release_create,
    release_data,
    release_diff,
    release_export,
)

__all__ = [
    "MIN_PASSES",
    "clips_from_release",
    "consensus_adjudicate",
    "consensus_build",
    "labels_import",
    "release_clips",
    "release_create",
    "release_data",
    "release_diff",
    "release_export",
    "submitted_passes",
    "video_agreement_refresh",
]
