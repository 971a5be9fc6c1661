"""Queueing a Job from an API call: every long-work endpoint answers 202 with the Job."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.auth import request_user
from core.api.serializers import JobOutput
from core.jobs import job_enqueue
from core.models import Job, Project


def queue_job(
    request: Request, *, project: Project, kind: str, task: Any, kwargs: dict[str, Any]
) -> Job:
    """A Job of ``project`` started by the caller; its task is sent when the transaction
    commits (so a caller's own transaction can still attach rows to the Job)."""
    with transaction.atomic():
        return job_enqueue(
            kind=kind, task=task, kwargs=kwargs, project=project, created_by=request_user(request)
        )


def job_accepted(job: Job) -> Response:
    return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
