# Min SIP – production image. Build: docker build -t family-app .
# Run:  docker run -e FAMILY_APP_ENV=production -e FAMILY_APP_SECRET_KEY=... \
#         -e FAMILY_APP_INVITATION_KEY=... -e FAMILY_APP_REDIS_URL=redis://... \
#         -e DATABASE_URL=postgresql://... -e FAMILY_APP_ORIGIN=https://sip.example.se \
#         -e FAMILY_APP_RP_ID=sip.example.se -p 5000:5000 family-app
# Second process, same image and environment, plus where the queue and e-mail live:
#       docker run -e ...the same... -e FAMILY_APP_QUEUE_URL=redis://... \
#         -e FAMILY_APP_SMTP_URL=smtps://user:password@smtp.example.se:465 \
#         -e FAMILY_APP_MAIL_FROM="Min SIP <no-reply@sip.example.se>" family-app family-app worker
# The web container needs FAMILY_APP_QUEUE_URL too (it wakes the consumer after a change).
# The worker sends e-mail from the outbox with retries and runs the daily reminders; one
# or more may run (each delivery is claimed by exactly one). Without it nothing is sent.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FAMILY_APP_BIND=0.0.0.0:5000

RUN useradd --create-home --uid 10001 app
WORKDIR /app

COPY pyproject.toml README.md babel.cfg ./
COPY family_app ./family_app
RUN pip install --upgrade pip && pip install -e .

COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY translations ./translations
COPY scripts/start.sh ./scripts/start.sh
# Catalogues are compiled at build time (.mo files are not in git).
RUN pybabel -q compile -d translations && chown -R app:app /app

USER app
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=4).status == 200 else 1)"
# Same start script as the README's run command: migrate, then gunicorn.
CMD ["scripts/start.sh"]
