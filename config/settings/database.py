"""The database: SQLite under the data dir by default, anything in ``DATABASE_URL`` otherwise."""

from config.settings.env import DATA_DIR, env

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'spotlab.sqlite3'}"),
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to the same file: WAL lets readers run beside one
    # writer, IMMEDIATE transactions take the write lock up front instead of failing midway,
    # and the timeout waits for the lock instead of raising "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a worker process can open the test database too.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_spotlab.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
