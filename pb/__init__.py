"""pb: participatory budgeting for the municipalities of Kyrgyzstan."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build a fresh application: defaults, instance/config.py, environment, then test_config."""
    # Flask and the configuration are imported here, not at the top: ``python -m pb.counting``
    # (the counting core, a subpackage, which needs neither) imports this module first.
    import secrets

    from flask import Flask

    from pb.config import Config, environment_overrides

    # Flask resolves relative folders against the package; the fixed layout keeps templates/,
    # instance/ and translations/ at the repository root.
    app = Flask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        instance_path=os.path.join(ROOT, "instance"),
        instance_relative_config=True,
    )
    app.config.from_object(Config)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(ROOT, "translations")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_mapping(environment_overrides(os.environ))
        app.config.from_prefixed_env("PB")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        # Owner-only: it holds the database, and instance/config.py the secret key.
        os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "pb.sqlite"
        )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        **_engine_options(app.config["SQLALCHEMY_DATABASE_URI"]),
    }
    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise RuntimeError(
                "SECRET_KEY is not set: put it in the environment or in instance/config.py"
            )
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    from pb import keys

    keys.configure(app)  # VOTE_KEY, and the fallbacks of both keys
    from pb import logs

    logs.configure(app)  # before anything asks for app.logger: see pb.logs

    _trust_proxies(app)
    _init_extensions(app)
    _bound_path_ids(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_security_headers(app)
    _refuse_nul_characters(app)

    from pb.cli import register_cli
    from pb.errors import register_error_handlers

    register_error_handlers(app)
    register_cli(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_COUNT`` reverse proxies (``PB_PROXY_COUNT``), take the client's address,
    scheme and host from the headers they set (Werkzeug's ``ProxyFix``): otherwise every
    visitor has the proxy's address, and one client's failed logins or codes would throttle
    everyone. Only that many hops are trusted, counted from the right of X-Forwarded-For, so a
    client cannot pass for another by sending the header itself."""
    hops = int(app.config.get("PROXY_COUNT") or 0)
    if hops < 0:
        raise RuntimeError("PROXY_COUNT must be 0 or more")
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def _bound_path_ids(app: Flask) -> None:
    # Before any route is added: each route looks its converters up when it is added.
    from pb.urls import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter


def _engine_options(uri: str) -> dict[str, Any]:
    """What this database's engine needs beyond the defaults (pb.sqlite, pb.postgres)."""
    if uri.startswith("sqlite"):
        from pb import sqlite

        return sqlite.ENGINE_OPTIONS
    if uri.startswith("postgresql"):
        from pb import postgres

        return postgres.ENGINE_OPTIONS
    return {}


def _init_extensions(app: Flask) -> None:
    from pb.extensions import babel, csrf, db, login_manager, migrate
    from pb.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"],
    )
    login_manager.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from pb import sqlite

            sqlite.configure(db.engine)
        elif db.engine.dialect.name == "postgresql":
            from pb import postgres

            postgres.configure(db.engine)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to open this page.")

    from pb.auth.sessions import load_user

    login_manager.user_loader(load_user)


def _register_blueprints(app: Flask) -> None:
    from pb.api import bp as api_bp
    from pb.api import feeds as feeds_bp
    from pb.audit.views import bp as audit_bp
    from pb.auth import bp as auth_bp
    from pb.consultations import bp as consultations_bp
    from pb.help import bp as help_bp
    from pb.implementation import bp as implementation_bp
    from pb.jobs import bp as jobs_bp
    from pb.main import bp as main_bp
    from pb.municipalities import bp as municipalities_bp
    from pb.photos import bp as photos_bp
    from pb.printed import bp as printed_bp
    from pb.proposals import bp as proposals_bp
    from pb.reports import bp as reports_bp
    from pb.results import bp as results_bp
    from pb.roll import bp as roll_bp
    from pb.roll import views as _roll_views  # noqa: F401  (its routes, on roll_bp)
    from pb.todo import bp as todo_bp
    from pb.voting import bp as voting_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(municipalities_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(voting_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(roll_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(printed_bp)
    app.register_blueprint(help_bp)
    app.register_blueprint(todo_bp)
    app.register_blueprint(implementation_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(photos_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(feeds_bp)


def _register_template_helpers(app: Flask) -> None:
    from pb import labels
    from pb.i18n import (
        LANGUAGE_NAMES,
        current_language,
        format_day,
        format_moment,
        format_number,
        format_percent,
        format_som,
        install_counted_plurals,
        language_in,
        localized,
    )

    app.jinja_env.add_extension("jinja2.ext.do")
    if app.testing:
        # A template that prints what is not there (a misspelt name, an attribute the object
        # lacks) fails the test instead of printing nothing; tests and ``if`` on it still work.
        from jinja2 import Undefined, UndefinedError

        class NotPrintedUndefined(Undefined):
            def __str__(self) -> str:
                raise UndefinedError("the template printed something that is not there")

        app.jinja_env.undefined = NotPrintedUndefined
    install_counted_plurals(app)
    app.jinja_env.filters["som"] = format_som
    app.jinja_env.filters["category_label"] = labels.category_name
    app.jinja_env.filters["beneficiary_label"] = lambda group: labels.BENEFICIARIES[group]
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["percent"] = format_percent
    # One way to write a day on every page (pb.i18n.format_day); a format such as 'short', as
    # Babel's filters took, is accepted and ignored.
    app.jinja_env.filters["date"] = lambda d, *_: format_day(d)
    app.jinja_env.filters["datetime"] = lambda d, *_: format_moment(d)
    app.jinja_env.globals.update(
        localized=localized,
        language_in=language_in,
        current_language=current_language,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        labels=labels,
        category_name=labels.category_name,
    )


def _refuse_nul_characters(app: Flask) -> None:
    from flask import abort, request

    def holds_nul(values: Any) -> bool:
        return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))

    @app.before_request
    def refuse_nul() -> None:
        # No form or link has a use for a NUL character, and PostgreSQL's text cannot hold one
        # (psycopg refuses to send it: a 500 wherever it reached a query). Refused before any
        # view reads the request, as a bad request. A query string can bring one only
        # percent-encoded, so it is parsed here only then: nearly every request pays nothing.
        if "\x00" in request.path or (b"%00" in request.query_string and holds_nul(request.args)):
            abort(400)
        if request.method == "POST" and holds_nul(request.form):
            abort(400)


def _register_security_headers(app: Flask) -> None:
    from flask import request

    @app.after_request
    def set_headers(response: Any) -> Any:
        # Everything the pages use comes from this host; say so, so nothing else can be injected.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            # Pages differ by account and language; phones may keep them, proxies may not.
            response.headers["Cache-Control"] = "private, no-cache"
        response.headers.setdefault("Vary", "Cookie, Accept-Language")
        return response
