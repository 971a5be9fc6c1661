"""Writes of the annotation protocol: dealing passes, saving segments, submitting, reopening."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from annotation.dealing import (
    CooccurrenceStats,
    DealingError,
    cooccurrence,
    cooccurrence_stats,
    deal,
    redeal,
)
from annotation.models import (
    Assignment,
    PassEvent,
    PassMode,
    PassStatus,
    Segment,
    SegmentChange,
    SegmentSource,
    Vote,
)
from annotation.selectors import assignment_access
from core.errors import Conflict, PermissionDenied, SpotlabError
from core.label_schema import UNUSABLE, validate_schema
from core.models import Membership, Project, Role, TaskKind
from core.services import membership_remove, membership_set
from videos.models import Video, VideoStatus

#: The most active time one activity report may add (the client reports every ~30 s).
MAX_ACTIVITY_REPORT_S = 120.0


@dataclass(frozen=True)
class DealReport:
    created: int
    load: dict[str, int]
    cooccurrence: CooccurrenceStats


def _pool(project: Project, usernames: Sequence[str] | None) -> list[str]:
    annotators = list(
        Membership.objects.filter(project=project, role=Role.ANNOTATOR)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )
    if usernames is None:
        return annotators
    unknown = sorted(set(usernames) - set(annotators))
    if unknown:
        raise SpotlabError(
            f"Not annotators of this project: {', '.join(unknown)}.",
            fields={"annotators": f"Not annotators of this project: {', '.join(unknown)}."},
        )
    return sorted(set(usernames))


def _existing(project: Project) -> dict[int, set[str]]:
    existing: dict[int, set[str]] = {}
    for video_id, username in Assignment.objects.filter(video__project=project).values_list(
        "video_id", "annotator__username"
    ):
        existing.setdefault(video_id, set()).add(username)
    return existing


def _create_passes(
    project: Project, pairs: Sequence[tuple[int, str]], mode: str | dict[int, str]
) -> int:
    """Create the passes ``(video, annotator)``, numbered after the video's last pass, in
    ``mode`` (one for all, or per video)."""
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in={name for _, name in pairs})
    }
    next_index = dict(
        Assignment.objects.filter(video__project=project)
        .values("video_id")
        .annotate(last=Max("pass_index"))
        .values_list("video_id", "last")
    )
    rows = []
    for video_id, username in pairs:
        next_index[video_id] = next_index.get(video_id, 0) + 1
        rows.append(
            Assignment(
                video_id=video_id,
                annotator=users[username],
                pass_index=next_index[video_id],
                mode=mode if isinstance(mode, str) else mode.get(video_id, PassMode.BLIND),
            )
        )
    Assignment.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def assignments_deal(
    *,
    project: Project,
    by: AbstractBaseUser,
    annotators: Sequence[str] | None = None,
    seed: int = 0,
    mode: str = PassMode.BLIND,
) -> DealReport:
    """Give every ready video of the project its passes, balanced and blind.

    Each video gets ``passes_per_item`` passes from as many different annotators; load differs
    by at most one pass; pairs of annotators co-occur as evenly as possible. Dealing again only
    adds what is missing. The new passes get ``mode``: ``assisted`` passes show the model's
    proposals, and their agreement is reported apart from the blind passes'.
    """
    # One dealer at a time per project: the counts below decide who gets what.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    pool = _pool(project, annotators)
    if not pool:
        raise SpotlabError("The project has no annotators to deal passes to.", code="no_pool")
    videos = list(
        Video.objects.filter(project=project, status=VideoStatus.READY)
        .order_by("id")
        .values_list("id", flat=True)
    )
    existing = _existing(project)
    try:
        result = deal(
            items=videos,
            annotators=pool,
            passes_per_item=project.passes_per_item,
            existing=existing,
            seed=seed,
        )
    except DealingError as exc:
        raise SpotlabError(str(exc), code="pool_too_small") from exc
    created = _create_passes(project, result.assignments, mode)
    pairs = [(item, name) for item, names in _existing(project).items() for name in names]
    _, matrix = cooccurrence(pairs, pool)
    return DealReport(
        created=created, load=dict(result.load), cooccurrence=cooccurrence_stats(matrix)
    )


@transaction.atomic
def member_role_change(
    *, project: Project, username: str, role: str, by: AbstractBaseUser
) -> Membership:
    """Give a member another role (owners only); an annotator who becomes a curator or owner
    leaves the pool and their open passes are dealt to the others."""
    if role == Role.ANNOTATOR:
        return membership_set(project=project, username=username, role=role, by=by)
    annotator_leave(project=project, username=username, by=by, new_role=role)
    return Membership.objects.select_related("user").get(project=project, user__username=username)


@transaction.atomic
def annotator_leave(
    *, project: Project, username: str, by: AbstractBaseUser, new_role: str | None
) -> None:
    """Take ``username`` out of the annotator pool (removed, or given another role) and deal
    their open passes to the others. Submitted passes stay theirs."""
    _require_owner(project, by)
    membership = Membership.objects.filter(project=project, user__username=username).first()
    if membership is not None and membership.role == Role.ANNOTATOR:
        open_passes = Assignment.objects.filter(
            video__project=project, annotator__username=username, status=PassStatus.OPEN
        )
        modes = dict(open_passes.values_list("video_id", "mode"))
        open_items = list(modes)
        if open_items:
            if (
                Segment.objects.filter(assignment__in=open_passes).exists()
                or Vote.objects.filter(assignment__in=open_passes).exists()
            ):
                raise SpotlabError(
                    f"{username} has started passes with segments; a curator must submit or "
                    "clear them before the annotator leaves the pool.",
                    code="passes_in_progress",
                )
            open_passes.delete()
            pool = [name for name in _pool(project, None) if name != username]
            try:
                result = redeal(
                    removed=username,
                    open_items=open_items,
                    annotators=pool,
                    existing=_existing(project),
                )
            except DealingError as exc:
                raise SpotlabError(str(exc), code="pool_too_small") from exc
            _create_passes(project, result.assignments, modes)
    if new_role is None:
        membership_remove(project=project, username=username, by=by)
    else:
        membership_set(project=project, username=username, role=new_role, by=by)


def _require_owner(project: Project, by: AbstractBaseUser) -> None:
    role = Membership.objects.filter(project=project, user_id=by.pk).values_list("role", flat=True)
    if not role or role[0] != Role.OWNER:
        raise PermissionDenied("Only an owner of the project may do this.")


# -- segments -------------------------------------------------------------------------------


def _validate_segments(
    assignment: Assignment, segments: Sequence[dict[str, Any]]
) -> dict[str, list[str]]:
    """Field errors (``segments.<i>.<field>``) of a pass's segments against its video and
    its project's label schema."""
    video = assignment.video
    schema = validate_schema(video.project.label_schema)
    n_frames = video.n_frames or 0
    types = {t["name"] for t in schema.get("expression_types", [])}
    emotions = {e["name"] for e in schema.get("emotions", [])}
    action_units = set(schema.get("action_units", []))
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()

    def error(index: int, field: str, message: str) -> None:
        errors.setdefault(f"segments.{index}.{field}", []).append(message)

    for index, segment in enumerate(segments):
        onset, offset, apex = segment["onset"], segment["offset"], segment.get("apex")
        last = n_frames - 1
        if segment["client_id"] in seen:
            error(index, "client_id", "Two segments share this client_id.")
        seen.add(segment["client_id"])
        if onset > last:
            error(index, "onset", f"Frame {onset} is past the video's last frame ({last}).")
        if offset > last:
            error(index, "offset", f"Frame {offset} is past the video's last frame ({last}).")
        if offset < onset:
            error(index, "offset", f"The offset ({offset}) is before the onset ({onset}).")
        if apex is not None:
            if not schema.get("apex", True):
                error(index, "apex", "This project does not mark an apex.")
            elif not onset <= apex <= offset:
                error(index, "apex", f"The apex ({apex}) must lie in [{onset}, {offset}].")
        if segment["type"] not in types:
            error(index, "type", f"'{segment['type']}' is not one of {', '.join(sorted(types))}.")
        if segment.get("emotion") and segment["emotion"] not in emotions:
            error(index, "emotion", f"'{segment['emotion']}' is not an emotion of this project.")
        for unit in segment.get("aus", []):
            code = unit.rstrip("ABCDE") if schema.get("au_intensity") else unit
            if code not in action_units:
                error(index, "aus", f"'{unit}' is not an action unit of this project.")
    return errors


def _require_own_open_pass(assignment: Assignment, by: AbstractBaseUser) -> None:
    if assignment.annotator_id != by.pk:
        raise PermissionDenied("Only the pass's annotator may change its segments.")
    if assignment.status == PassStatus.SUBMITTED:
        raise SpotlabError(
            "The pass is submitted and locked; a curator can reopen it.",
            code="pass_submitted",
            status=409,
        )


@transaction.atomic
def segments_replace(
    *,
    assignment_id: int,
    by: AbstractBaseUser,
    revision: int,
    segments: Sequence[dict[str, Any]],
    rejected_proposals: Sequence[int] | None = None,
) -> Assignment:
    """Replace the pass's segments if ``revision`` is the pass's current one.

    A stale revision is a 409 and nothing changes (the client keeps its edits and can merge).
    Every created, changed or deleted segment is written to the audit trail. A segment naming
    a proposal (``proposal_id``; assisted passes only) is ``accepted`` when it has the
    proposal's frames and type and ``edited`` otherwise; one naming none is ``manual``.
    ``rejected_proposals``, when given, replaces the pass's list.

    The autosave path, so its queries are few: the caller's own pass is read and locked in one
    query; anyone else's pass is a 403 for those who may read it and a 404 for the rest.
    """
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("video__project")
        .filter(pk=assignment_id, annotator_id=by.pk)
        .first()
    )
    if assignment is None:
        assignment_access(assignment_id=assignment_id, user=by)
        raise PermissionDenied("Only the pass's annotator may change its segments.")
    _require_own_open_pass(assignment, by)
    if assignment.video.project.task_kind == TaskKind.CLIP_CLASSIFICATION:
        raise SpotlabError(
            "This pass is in a clip-classification project: it takes a vote "
            "(PUT /assignments/{id}/vote/), not segments.",
            code="wrong_task_kind",
        )
    _require_revision(assignment, revision)
    errors = _validate_segments(assignment, segments)
    proposals = _proposals_named(assignment, segments, rejected_proposals or [], errors)
    if errors:
        first = next(iter(errors.items()))
        raise SpotlabError(f"{first[0]}: {first[1][0]}", fields=errors)
    new_revision = assignment.revision + 1
    stored = {segment.client_id: segment for segment in assignment.segments.all()}
    wanted = {segment["client_id"]: segment for segment in segments}
    changes: list[SegmentChange] = []
    for client_id, segment in stored.items():
        if client_id not in wanted:
            changes.append(
                SegmentChange(
                    assignment=assignment,
                    client_id=client_id,
                    action=SegmentChange.Action.DELETED,
                    before=segment.as_dict(),
                    revision=new_revision,
                    by_id=by.pk,
                )
            )
            segment.delete()
    for client_id, fields in wanted.items():
        values = {
            "onset": fields["onset"],
            "apex": fields.get("apex"),
            "offset": fields["offset"],
            "type": fields["type"],
            "emotion": fields.get("emotion") or "",
            "aus": sorted(set(fields.get("aus") or [])),
            "note": fields.get("note") or "",
            "proposal_id": fields.get("proposal_id"),
            "source": _source(fields, proposals.get(fields.get("proposal_id") or 0)),
        }
        current = stored.get(client_id)
        if current is None:
            created = Segment.objects.create(assignment=assignment, client_id=client_id, **values)
            changes.append(
                SegmentChange(
                    assignment=assignment,
                    client_id=client_id,
                    action=SegmentChange.Action.CREATED,
                    after=created.as_dict(),
                    revision=new_revision,
                    by_id=by.pk,
                )
            )
            continue
        before = current.as_dict()
        for key, value in values.items():
            setattr(current, key, value)
        after = current.as_dict()
        if after != before:
            current.save()
            changes.append(
                SegmentChange(
                    assignment=assignment,
                    client_id=client_id,
                    action=SegmentChange.Action.UPDATED,
                    before=before,
                    after=after,
                    revision=new_revision,
                    by_id=by.pk,
                )
            )
    SegmentChange.objects.bulk_create(changes)
    assignment.revision = new_revision
    update = ["revision", "updated_at"]
    if rejected_proposals is not None:
        assignment.rejected_proposals = sorted(set(rejected_proposals))
        update.append("rejected_proposals")
    assignment.save(update_fields=update)
    return assignment


def _require_revision(assignment: Assignment, revision: int) -> None:
    if revision != assignment.revision:
        raise Conflict(
            f"The pass changed since revision {revision} (it is at revision "
            f"{assignment.revision}); reload it to merge your edits.",
            code="stale_revision",
        )


# -- votes ----------------------------------------------------------------------------------

#: The longest caption sentence stored.
MAX_CAPTION_CHARS = 1000


def _validate_vote(
    project: Project, label: str, intensity: int | None, caption: dict[str, Any] | None
) -> dict[str, str]:
    classes = [e["name"] for e in validate_schema(project.label_schema).get("emotions", [])]
    errors: dict[str, str] = {}
    if label != UNUSABLE and label not in classes:
        errors["label"] = (
            f"'{label}' is not a class of this project: one of {', '.join(classes)} "
            f"or '{UNUSABLE}'."
        )
    if intensity is not None and not 1 <= intensity <= 5:
        errors["intensity"] = "An intensity is 1 (slight) to 5 (extreme), or null."
    if caption is not None:
        unknown = set(caption) - {"emotion", "actions"}
        if unknown:
            errors["caption"] = f"Unknown caption part(s): {', '.join(sorted(unknown))}."
        for part in ("emotion", "actions"):
            text = caption.get(part, "")
            if not isinstance(text, str) or len(text) > MAX_CAPTION_CHARS:
                errors[f"caption.{part}"] = f"A sentence of at most {MAX_CAPTION_CHARS} characters."
    return errors


@transaction.atomic
def vote_cast(
    *,
    assignment: Assignment,
    by: AbstractBaseUser,
    revision: int,
    label: str,
    intensity: int | None = None,
    caption: dict[str, Any] | None = None,
    submit: bool = True,
) -> Assignment:
    """Store the pass's vote if ``revision`` is current (409 otherwise) and, by default, submit
    the pass: a clip pass is one vote, locked once cast unless a curator reopens it."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("video__project")
        .get(pk=assignment.pk)
    )
    project = assignment.video.project
    if project.task_kind != TaskKind.CLIP_CLASSIFICATION:
        raise SpotlabError(
            "Votes belong to clip-classification projects; this pass takes segments.",
            code="wrong_task_kind",
        )
    _require_own_open_pass(assignment, by)
    _require_revision(assignment, revision)
    errors = _validate_vote(project, label, intensity, caption)
    if errors:
        first = next(iter(errors.items()))
        raise SpotlabError(f"{first[0]}: {first[1]}", fields=errors)
    if caption is not None:
        caption = {part: caption.get(part, "").strip() for part in ("emotion", "actions")}
        if not any(caption.values()):
            caption = None
    Vote.objects.update_or_create(
        assignment=assignment,
        defaults={"label": label, "intensity": intensity, "caption": caption},
    )
    assignment.revision += 1
    update = ["revision", "updated_at"]
    if submit:
        assignment.status = PassStatus.SUBMITTED
        assignment.submitted_at = timezone.now()
        update += ["status", "submitted_at"]
        PassEvent.objects.create(assignment=assignment, kind=PassEvent.Kind.SUBMITTED, by_id=by.pk)
    assignment.save(update_fields=update)
    return assignment


def _proposals_named(
    assignment: Assignment,
    segments: Sequence[dict[str, Any]],
    rejected: Sequence[int],
    errors: dict[str, list[str]],
) -> dict[int, Any]:
    """The proposals that segments name (and that were rejected), checked: assisted passes
    only, proposals of this pass's video only. Problems are added to ``errors``."""
    named = {s["proposal_id"] for s in segments if s.get("proposal_id") is not None}
    wanted = named | set(rejected)
    if not wanted:
        return {}
    # The inference app owns proposals; reach its model through the relation, not an import.
    proposal_model: Any = Segment._meta.get_field("proposal").related_model
    found = {
        p.pk: p for p in proposal_model.objects.filter(pk__in=wanted, video_id=assignment.video_id)
    }
    assisted = assignment.mode == PassMode.ASSISTED
    for index, segment in enumerate(segments):
        proposal_id = segment.get("proposal_id")
        if proposal_id is None:
            continue
        field = f"segments.{index}.proposal"
        if not assisted:
            errors.setdefault(field, []).append("Proposals are used in assisted passes only.")
        elif proposal_id not in found:
            errors.setdefault(field, []).append(f"No proposal {proposal_id} on this pass's video.")
    if rejected and not assisted:
        errors.setdefault("rejected_proposals", []).append(
            "Proposals are used in assisted passes only."
        )
    elif set(rejected) - set(found):
        missing = sorted(set(rejected) - set(found))
        errors.setdefault("rejected_proposals", []).append(
            f"No proposal {missing[0]} on this pass's video."
        )
    return found


def _source(fields: dict[str, Any], proposal: Any) -> str:
    if proposal is None:
        return SegmentSource.MANUAL
    same = (fields["onset"], fields["offset"], fields["type"]) == (
        proposal.onset,
        proposal.offset,
        proposal.type,
    )
    return SegmentSource.ACCEPTED if same else SegmentSource.EDITED


@transaction.atomic
def assignment_submit(*, assignment: Assignment, by: AbstractBaseUser) -> Assignment:
    """Lock the pass; its segments (or its vote) are final unless a curator reopens it."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("video__project")
        .get(pk=assignment.pk)
    )
    _require_own_open_pass(assignment, by)
    if (
        assignment.video.project.task_kind == TaskKind.CLIP_CLASSIFICATION
        and not Vote.objects.filter(assignment=assignment).exists()
    ):
        raise SpotlabError("Vote on the clip before submitting the pass.", code="no_vote")
    assignment.status = PassStatus.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["status", "submitted_at", "updated_at"])
    PassEvent.objects.create(assignment=assignment, kind=PassEvent.Kind.SUBMITTED, by_id=by.pk)
    _refresh_agreement_after_commit(assignment.video_id)
    return assignment


def _refresh_agreement_after_commit(video_id: int) -> None:
    """Ask curation to recompute the video's agreement once this transaction commits. Sent by
    task name: curation builds on annotation, never the other way round. (Clip votes have no
    stored agreement: their statistics are computed when asked for.)"""
    if Video.objects.filter(pk=video_id, project__task_kind=TaskKind.CLIP_CLASSIFICATION).exists():
        return
    transaction.on_commit(
        lambda: current_app.send_task("curation.tasks.video_agreement_refresh", args=[video_id])
    )


@transaction.atomic
def assignment_reopen(*, assignment: Assignment, by: AbstractBaseUser, reason: str) -> Assignment:
    """A curator reopens a submitted pass, saying why; the annotator can edit it again."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != PassStatus.SUBMITTED:
        raise SpotlabError("Only a submitted pass can be reopened.", code="not_submitted")
    if not reason.strip():
        raise SpotlabError("Say why the pass is reopened.", fields={"reason": "Required."})
    assignment.status = PassStatus.OPEN
    assignment.reopened_reason = reason.strip()
    assignment.save(update_fields=["status", "reopened_reason", "updated_at"])
    PassEvent.objects.create(
        assignment=assignment, kind=PassEvent.Kind.REOPENED, reason=reason.strip(), by_id=by.pk
    )
    _refresh_agreement_after_commit(assignment.video_id)
    return assignment


@transaction.atomic
def assignment_mode_set(*, assignment: Assignment, mode: str) -> Assignment:
    """Make a pass blind or assisted while it is untouched (revision 0)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.mode == mode:
        return assignment
    if assignment.revision > 0 or assignment.status != PassStatus.OPEN:
        raise Conflict(
            "The annotator has already worked on this pass; its mode can no longer change.",
            code="pass_started",
        )
    assignment.mode = mode
    assignment.save(update_fields=["mode", "updated_at"])
    return assignment


def activity_record(*, assignment: Assignment, by: AbstractBaseUser, seconds: float) -> float:
    """Add the annotator's active time on the pass (reported by the client while it is in
    focus and in use); each report counts at most ``MAX_ACTIVITY_REPORT_S``."""
    if assignment.annotator_id != by.pk:
        raise PermissionDenied("Only the pass's annotator reports time on it.")
    seconds = min(max(float(seconds), 0.0), MAX_ACTIVITY_REPORT_S)
    Assignment.objects.filter(pk=assignment.pk).update(
        time_spent_s=F("time_spent_s") + seconds, last_activity_at=timezone.now()
    )
    assignment.refresh_from_db(fields=["time_spent_s", "last_activity_at"])
    return assignment.time_spent_s
