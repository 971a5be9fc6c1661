"""The environment, read once. Every setting that can vary between machines comes from here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Everything the embedded defaults write (SQLite database, media, broker folders) lives here.
DATA_DIR = Path(env.str("SPOTLAB_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
