"""WSGI entry point for gunicorn: ``gunicorn family_app.wsgi:app``."""

from family_app import create_app

app = create_app()
