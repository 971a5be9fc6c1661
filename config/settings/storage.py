"""Files: local disk under the data dir by default, any S3-compatible store when configured."""

from pathlib import Path
from typing import Any

from config.settings.env import BASE_DIR, DATA_DIR, env

MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(DATA_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(DATA_DIR / "static"))
STATIC_URL = "/static/"
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root

# The built frontend (frontend/dist, made by `npm run build`) is served as static files.
FRONTEND_DIST_DIR = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [("app", FRONTEND_DIST_DIR)] if FRONTEND_DIST_DIR.is_dir() else []
WHITENOISE_USE_FINDERS = True


def s3_storage(
    *, bucket_name: str, endpoint_url: str | None, region_name: str | None
) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for an S3-compatible bucket (AWS, MinIO, Ceph, ...).

    Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``,
    an instance role, ...). Every web server and worker must point at the same bucket: then any
    worker on any machine reads any file, and no shared disk is needed.
    """
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint_url or None,
            "region_name": region_name or None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }


_s3_bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    "default": (
        s3_storage(
            bucket_name=_s3_bucket,
            endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
            region_name=env.str("AWS_S3_REGION_NAME", default=""),
        )
        if _s3_bucket
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploads above this many bytes are streamed to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# On the same disk as the media, so that storing an upload is a move, not a copy.
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default=str(DATA_DIR / "tmp"))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
SPOTLAB_MAX_UPLOAD_BYTES = env.int("SPOTLAB_MAX_UPLOAD_BYTES", default=4 * 1024**3)
# With files on S3, the local copies of sources that ffmpeg and PyAV read are kept under this
# many bytes (least recently used first out); size it for the sources of the videos in work.
SPOTLAB_SOURCE_CACHE_BYTES = env.int("SPOTLAB_SOURCE_CACHE_BYTES", default=50 * 1024**3)
# Server-side folders that `manage.py ingest` may read from.
SPOTLAB_IMPORT_ROOTS = env.list("SPOTLAB_IMPORT_ROOTS", default=[str(DATA_DIR / "import")])
