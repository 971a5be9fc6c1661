"""Celery: Redis in production, kombu's filesystem transport as the embedded default.

Long work is driven by its ``core.Job`` row (see core/jobs.py): tasks are idempotent, take ids,
acknowledge late and report progress to their Job.
"""

from config.settings.env import DATA_DIR, env

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Redis redelivers an unacknowledged task after this long; the Job sweeper is faster.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }

# Results live on Job rows; nothing waits on Celery's result backend.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=6 * 3600 - 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

CELERY_TASK_DEFAULT_QUEUE = "default"
# One queue per cost: `media` is CPU-heavy ffmpeg and feature work, `gpu` is torch.
CELERY_TASK_ROUTES = {
    "videos.tasks.*": {"queue": "media"},
    "curation.tasks.release_clips": {"queue": "media"},
    "curation.tasks.clips_from_release": {"queue": "media"},
    "inference.tasks.features_*": {"queue": "media"},
    "inference.tasks.*": {"queue": "gpu"},
    "*": {"queue": "default"},
}

# A running Job whose heartbeat (its progress reports) is older than this is taken to have lost
# its worker; the sweeper sends its task again, at most this many runs in all.
SPOTLAB_JOB_HEARTBEAT_TIMEOUT_S = env.int("SPOTLAB_JOB_HEARTBEAT_TIMEOUT_S", default=300)
SPOTLAB_JOB_MAX_ATTEMPTS = env.int("SPOTLAB_JOB_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE = {
    "sweep-jobs": {"task": "core.tasks.sweep_jobs", "schedule": 60.0},
}
