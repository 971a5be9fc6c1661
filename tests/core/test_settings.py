"""Settings: embedded defaults, real services from the environment, production refusals."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

GOOD_KEY = "x" * 20 + "production-secret-key-for-tests" + "y" * 20


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


SHOW = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.DATABASES['default']['ENGINE']); print(settings.CELERY_BROKER_URL); "
    "print(settings.MEDIA_ROOT)"
)


def test_embedded_defaults_are_sqlite_and_filesystem_broker_under_data_dir(tmp_path) -> None:
    result = run_python(
        SHOW, DJANGO_SETTINGS_MODULE="config.settings", SPOTLAB_DATA_DIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    engine, broker, media = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert media == str(tmp_path / "media")
    assert (tmp_path / "broker" / "queue").is_dir()


def test_environment_selects_postgres_and_redis(tmp_path) -> None:
    result = run_python(
        SHOW,
        DJANGO_SETTINGS_MODULE="config.settings",
        SPOTLAB_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://u:p@db.example:5432/spotlab",
        CELERY_BROKER_URL="redis://cache.example:6379/0",
    )
    assert result.returncode == 0, result.stderr
    engine, broker, _ = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis://cache.example:6379/0"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "spotlab.example"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS must be set"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "spotlab.example"}, "at least 50"),
    ],
)
def test_production_refuses_to_start_without_required_settings(tmp_path, env, message) -> None:
    result = run_python(
        SHOW,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SPOTLAB_DATA_DIR=str(tmp_path),
        **env,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_check_deploy_is_clean(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SPOTLAB_DATA_DIR": str(tmp_path),
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "spotlab.example",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
