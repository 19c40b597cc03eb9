"""Configuration defaults.

Order of precedence, lowest first: these defaults, ``instance/config.py``, the environment
(``SECRET_KEY``, ``DATABASE_URL`` and any ``PB_*`` variable), then the ``test_config`` mapping
given to :func:`pb.create_app`.
"""

from __future__ import annotations

import os
from typing import ClassVar

LANGUAGES = ("ky", "ru", "en")


def _database_url(url: str | None) -> str | None:
    # Hosting panels hand out postgres:// URLs; SQLAlchemy needs the driver named.
    if url and url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY: str | None = None
    # Flask's: older secret keys still accepted (sessions; form tokens through pb.keys).
    SECRET_KEY_FALLBACKS: ClassVar[list[str]] = []
    # What voting codes, receipts and reset codes are keyed with, and its older keys still
    # accepted (pb.keys; PB_VOTE_KEY, PB_VOTE_KEY_FALLBACKS='["..."]').
    VOTE_KEY: str | None = None
    VOTE_KEY_FALLBACKS: ClassVar[list[str]] = []
    # Log lines as plain text or JSON lines (PB_LOG_FORMAT=json), from this level (pb.logs).
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    SQLALCHEMY_DATABASE_URI: str | None = None  # default set in create_app (instance folder)
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}
    LANGUAGES = LANGUAGES
    BABEL_DEFAULT_LOCALE = "ky"
    BABEL_DEFAULT_TIMEZONE = "Asia/Bishkek"
    WTF_CSRF_TIME_LIMIT = None  # a form left open on a phone all afternoon must still submit
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 30
    # Imported .pb files of city-sized elections run to a few megabytes.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    PROPOSALS_PER_PAGE = 20
    # The officers' review queue: a city's thousands of proposals come in pages of this many.
    REVIEW_QUEUE_PER_PAGE = 50
    # Printed code slips: a page of this many (a whole number of A4 sheets of 8, or of 4 when
    # bilingual), so each page prints on its own and a 5,000-code batch is not one 12 MB page:
    # 320 slips' QR codes are about 85 KB compressed, under the 100 KB a page may weigh.
    SLIPS_PER_PAGE = 320
    # The results page's chart of votes: at most this many bars (the tables list every
    # proposal). A thousand bars read as nothing and doubled a city's results page.
    RESULTS_CHART_BARS = 50
    # Age groups used for participation figures: (lowest age, highest age or None).
    AGE_BANDS = ((14, 17), (18, 35), (36, 59), (60, None))
    # Guessing codes or passwords: this many failures per client within the window, then 429.
    THROTTLE_MAX_FAILURES = 10
    THROTTLE_WINDOW_SECONDS = 15 * 60
    # Codes are counted per device as above, and per address up to this: a whole village may
    # vote from one mobile operator's address (pb.throttle).
    THROTTLE_MAX_FAILURES_PER_ADDRESS = 100
    # The open data API (/api/v1/): this many requests per address within the window, then
    # 429 (pb.api.http; counted in the database, across worker processes).
    API_REQUESTS_PER_WINDOW = 300
    API_WINDOW_SECONDS = 60
    # Behind reverse proxies, how many hops of X-Forwarded-For to trust (PB_PROXY_COUNT;
    # pb.create_app applies it with ProxyFix).
    PROXY_COUNT = 0
    CODE_BATCH_MAX = 5000
    # A household register export of a large municipality (50,000 lines) is a few megabytes.
    ROLL_FILE_MAX_BYTES = 10 * 1024 * 1024
    # Photos (pb.photos): a phone's photo is a few megabytes; more than this is refused with a
    # message, and a picture of more pixels than this is refused before it is decoded.
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    PHOTO_MAX_PIXELS = 50_000_000
    # Problem reports on funded projects (pb.reports): at most this many per account an hour.
    REPORTS_PER_HOUR = 5
    # Youth, as Kyrgyz youth policy counts it.
    YOUTH_AGES = (14, 35)
    # How long a one-time password reset code works (pb.auth.resets).
    PASSWORD_RESET_HOURS = 24
    # The job queue (pb.jobs.queue): None for a SQLite file in the instance folder (one host),
    # PB_JOBS_QUEUE=redis://host:6379/0 for several hosts, "immediate" to run jobs where they
    # start (the tests). PB_JOBS_WORKERS: how many jobs one `flask worker` runs at once.
    JOBS_QUEUE: str | None = None
    JOBS_WORKERS = 1
    # SMS is off unless a backend is chosen: see pb.sms for the keys and PB_SMS_HTTP_TOKEN.
    SMS_BACKEND: str | None = None


def environment_overrides(environ: os._Environ[str] | dict[str, str]) -> dict[str, object]:
    """Settings that production passes in the environment, not in files."""
    overrides: dict[str, object] = {}
    if environ.get("SECRET_KEY"):
        overrides["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("DATABASE_URL"):
        overrides["SQLALCHEMY_DATABASE_URI"] = _database_url(environ["DATABASE_URL"])
    if environ.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes"):
        overrides["SESSION_COOKIE_SECURE"] = True
        overrides["REMEMBER_COOKIE_SECURE"] = True
    return overrides


normalise_database_url = _database_url
