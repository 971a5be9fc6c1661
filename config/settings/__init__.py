"""Settings for one machine with embedded defaults; every value can be overridden from the
environment. ``config.settings.production`` adds the checks a public deployment needs.

The settings are split by concern; each module below reads its own variables.
"""

from config.settings.api import *  # noqa: F403
from config.settings.celery import *  # noqa: F403
from config.settings.database import *  # noqa: F403
from config.settings.django import *  # noqa: F403
from config.settings.env import BASE_DIR, DATA_DIR, env  # noqa: F401
from config.settings.inference import *  # noqa: F403
from config.settings.logging import *  # noqa: F403
from config.settings.storage import *  # noqa: F403
