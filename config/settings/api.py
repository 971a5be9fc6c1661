"""Django REST framework and the OpenAPI schema."""

from config.settings.env import env

REST_FRAMEWORK = {
    # Token first, so that an anonymous call gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env.str("LOGIN_THROTTLE_RATE", default="30/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Spotlab API",
    "DESCRIPTION": (
        "Blind multi-pass spotting of facial expressions in long videos: videos, passes, "
        "agreement, consensus, releases and pre-labels. Frames are 0-based integers on the "
        "video's decoded timeline; intervals are inclusive. Any operation may answer 503 "
        "(`database_unavailable`, with `Retry-After`) while the database is down or busy."
    ),
    "VERSION": "1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.database_unavailable_responses",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "VideoStatusEnum": "videos.models.VideoStatus",
        "PassStatusEnum": "annotation.models.PassStatus",
        "PassEventKindEnum": "annotation.models.PassEvent.Kind",
        "KindEnum": "inference.models.ModelKind",
        "JobStateEnum": "core.models.JobState",
        "RoleEnum": "core.models.Role",
        "ExportFormatEnum": "curation.formats.registry.FORMAT_NAMES",
        "ScoringFormatEnum": "curation.scoring.SCORING_FORMATS",
    },
}
