"""The family SIP app: the family's side of a samordnad individuell plan."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .config import PROJECT_ROOT, load_config


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI — nothing else."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(app.instance_path, overrides))

    from . import (
        compression,
        errors,
        flashes,
        hygiene,
        i18n,
        labels,
        notifications,
        request_log,
        routing,
        security,
        sessions,
    )
    from .auth import invitations
    from .auth.session import init_login
    from .extensions import babel, csrf, db, limiter

    if app.config["TRUSTED_PROXIES"]:
        # Only as many X-Forwarded-* hops as there are proxies we run; the rest
        # of the header is whatever a client wrote and is ignored.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    routing.init_app(app)
    db.init_app(app)
    sessions.init_app(app)
    invitations.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    # One domain for the process (Flask-Babel keeps it on the shared Babel object).
    if not isinstance(babel.__dict__.get("domain_instance"), i18n.MarkingDomain):
        babel.domain_instance = i18n.MarkingDomain(
            domain=app.config.get("BABEL_DOMAIN", "messages")
        )
    init_login(app)
    i18n.init_app(app)
    labels.init_app(app)
    notifications.init_app(app)
    flashes.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    errors.init_app(app)
    request_log.init_app(app)
    hygiene.init_app(app)

    from .account.my_data_routes import bp as my_data_bp
    from .account.routes import bp as account_bp
    from .admin.routes import bp as admin_bp
    from .auth.routes import bp as auth_bp
    from .consent.routes import bp as consent_bp
    from .feeds.routes import bp as feeds_bp
    from .fhir.routes import bp as fhir_bp
    from .main.routes import bp as main_bp
    from .plans.routes import bp as plans_bp
    from .views.routes import bp as views_bp
    from .workspace.routes import bp as workspace_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(workspace_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(consent_bp)
    app.register_blueprint(views_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(my_data_bp)
    app.register_blueprint(fhir_bp)
    csrf.exempt(fhir_bp)  # bearer token, read-only, no session (issue 15)

    from . import access, cli

    cli.init_app(app)
    access.check_every_route_is_guarded(app)
    return app
