"""Clip classification: the vote statistics of a clip project (curators only; 404 for
annotators, whose passes are blind) and clips cut from a spotting release."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.selectors import curating_project_access
from core.api.exceptions import ErrorSerializer
from core.api.jobs import job_accepted, queue_job
from core.api.serializers import JobOutput
from core.errors import NotFound
from curation import tasks
from curation.models import Release
from curation.services.clips import clips_source_check
from curation.services.votes import project_clip_statistics

ERRORS: dict[int, Any] = {400: ErrorSerializer, 401: ErrorSerializer, 404: ErrorSerializer}


class StatisticOutput(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    reason = serializers.CharField(allow_null=True)


class KappaOutput(StatisticOutput):
    n_clips = serializers.IntegerField()
    n_raters = serializers.IntegerField()


class SingleLabelledOutput(serializers.Serializer):
    count = serializers.IntegerField()
    by_class = serializers.DictField(child=serializers.IntegerField())


class ClipVotesOutput(serializers.Serializer):
    video = serializers.IntegerField()
    name = serializers.CharField()
    subject = serializers.CharField(allow_null=True)
    votes = serializers.DictField(child=serializers.IntegerField())
    unusable = serializers.IntegerField()
    n_votes = serializers.IntegerField()
    # The contract's field name; it shadows Field.label only in the stubs.
    label = serializers.CharField(allow_null=True)  # type: ignore[assignment]
    top = serializers.CharField(allow_null=True)
    top_votes = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["single", "ambiguous", "incomplete", "unusable"])


class AnnotatorVotesOutput(serializers.Serializer):
    annotator = serializers.CharField()
    n_votes = serializers.IntegerField()
    n_unusable = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True)
    n_compared = serializers.IntegerField()
    n_ties = serializers.IntegerField()
    confusion = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    alpha_without = StatisticOutput()


class ClipAgreementOutput(serializers.Serializer):
    classes = serializers.ListField(child=serializers.CharField())
    threshold = serializers.IntegerField()
    passes_per_item = serializers.IntegerField()
    n_clips = serializers.IntegerField()
    n_votes = serializers.IntegerField()
    n_unusable = serializers.IntegerField()
    alpha = StatisticOutput()
    kappa = KappaOutput()
    single_labelled = SingleLabelledOutput()
    clips = ClipVotesOutput(many=True)
    annotators = AnnotatorVotesOutput(many=True)


class ClipAgreementView(APIView):
    @extend_schema(
        operation_id="projects_clip_agreement",
        responses={200: ClipAgreementOutput, **ERRORS},
        description=(
            "The submitted votes of a clip-classification project: each clip's vote "
            "distribution and status (single-labelled when one class has more than the "
            "project's `single_label_threshold` votes; ambiguous; incomplete; unusable), "
            "Krippendorff's alpha (nominal) and Fleiss' kappa (over clips with every vote), and "
            "per annotator the confusion matrix against the majority of the others (rows: the "
            "others' majority) and alpha without them. Owners and curators only."
        ),
    )
    def get(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        return Response(ClipAgreementOutput(project_clip_statistics(project)).data)


class ClipsFromReleaseInput(serializers.Serializer):
    release = serializers.IntegerField(min_value=1)
    pad = serializers.IntegerField(min_value=0, max_value=1000, default=0)


class ProjectClipsView(APIView):
    @extend_schema(
        operation_id="projects_clips_from_release",
        request=ClipsFromReleaseInput,
        responses={202: JobOutput, **ERRORS},
        description=(
            "A job on the media queue that cuts every consensus interval of a spotting release "
            "(of a project the caller curates), with `pad` frames either side, into a clip of "
            "this clip-classification project, carrying its subject and source video; each "
            "clip is ingested like an upload. Running it again adds only what is missing."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        data = ClipsFromReleaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        release = (
            Release.objects.select_related("project")
            .filter(pk=data.validated_data["release"])
            .first()
        )
        if release is None:
            raise NotFound("No such release.")
        clips_source_check(project=project, release=release, user=request.user)
        job = queue_job(
            request,
            project=project,
            kind="clips_from_release",
            task=tasks.clips_from_release,
            kwargs={
                "project_id": project.pk,
                "release_id": release.pk,
                "pad": data.validated_data["pad"],
                "by_id": request.user.pk,
            },
        )
        return job_accepted(job)
