"""WSGI entry point (``gunicorn config.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import the URL configuration, and with it every view, serializer and media library, now rather
# than in the first request a worker serves (0.4 s of it). With gunicorn's preload_app this is
# done once, in the master, before the workers are forked.
get_resolver().url_patterns  # noqa: B018
