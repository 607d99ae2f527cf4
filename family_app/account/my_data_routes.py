"""My data (GDPR art. 15): ask for everything the app holds about you, download it once."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as web_session
from flask_babel import gettext as _

from ..access import Policy, guard
from ..audit import AuditAction, record
from ..auth.session import current_person
from ..extensions import db
from ..i18n import current_language
from ..models import DataExport, ExportFormat, utcnow
from . import my_data

bp = Blueprint("my_data", __name__, url_prefix="/account/my-data")
log = logging.getLogger(__name__)

# Where the download tokens of this sign-in are kept: the browser that asked holds
# the link; the database holds only each token's hash.
TOKENS = "my_data_tokens"
# Up to this many rows are read at once, in the request; more go to the queue.
INLINE_ROWS = 2000


def _page(status: int = 200, error: str | None = None, chosen: str = ExportFormat.HTML):
    me = current_person()
    return render_template(
        "account/my_data.html",
        requests=my_data.my_requests(db.session, me),
        tokens=web_session.get(TOKENS, {}),
        now=utcnow(),
        error=error,
        chosen=chosen,
        keep_days=my_data.KEEP_FOR.days,
    ), status


@bp.get("")
@guard(Policy.OWN_DATA)
def index():
    return _page()


@bp.post("")
@guard(Policy.OWN_DATA)
def ask():
    """A new request, prepared now for a small amount of data, else by the queue."""
    fmt = request.form.get("format", "")
    if fmt not in ExportFormat.ALL:
        return _page(400, _("Välj vilken sorts fil du vill ha."), fmt)
    me = current_person()
    export, token = my_data.ask(db.session, me, current_language(), fmt)
    record(db.session, AuditAction.EXPORT, me, None, "data_export", export.id, "requested")
    db.session.commit()
    # Only the newest request's link is kept: asking again closes the older ones.
    web_session[TOKENS] = {str(export.id): token}
    limit = current_app.config.get("MY_DATA_INLINE_ROWS", INLINE_ROWS)
    if my_data.data_size(db.session, me) > limit and _queued(export.id):
        pass  # the queue's consumer prepares it; the page says so meanwhile
    else:
        my_data.prepare(db.session, export)
        db.session.commit()
    flash(_("Tack! Vi gör i ordning din fil."), "success")
    return redirect(url_for("my_data.index"), 303)


def _queued(export_id: int) -> bool:
    """Hand a large export to the queue; if the queue cannot take it, False (the
    request prepares it itself: a slow answer beats no answer)."""
    from ..queue import queue_of

    try:
        queue_of(current_app._get_current_object()).family_tasks["prepare_export"](export_id)
    except Exception as exc:  # noqa: BLE001 - any failure of the queue: do it here
        log.warning("my data: queue refused the job: %s", type(exc).__name__)
        return False
    return True


def _gone(export: DataExport, status: str) -> tuple[str, int]:
    """Already downloaded, or expired: say so, and offer to ask again."""
    return render_template(
        "account/my_data_gone.html",
        status=status,
        chosen=export.format,
        keep_days=my_data.KEEP_FOR.days,
    ), 410


@bp.post("/<int:export_id>/download")
@guard(Policy.DOWNLOAD_OWN_DATA)
def download(export_id: int):
    """Once: the file, read again with the person's access now (my_data.py)."""
    export = g.data_export
    me = current_person()
    now = utcnow()
    status = export.status(now)
    if status in ("downloaded", "expired"):
        return _gone(export, status)
    if status == "waiting":
        flash(_("Filen är inte klar än. Titta igen om en liten stund."), "info")
        return redirect(url_for("my_data.index"), 303)
    # Claimed first, atomically: of two requests at once only one gets the file.
    if not my_data.claim_download(db.session, export, now):
        db.session.rollback()
        db.session.refresh(export)
        status = export.status(now)
        return _gone(export, status if status == "expired" else "downloaded")
    body = my_data.content_for_download(db.session, export, now)
    record(db.session, AuditAction.EXPORT, me, None, "data_export", export.id, "downloaded")
    for access in my_data.export_plans(db.session, me):
        record(db.session, AuditAction.EXPORT, me, access.plan, "data_export", export.id)
    db.session.commit()
    tokens = dict(web_session.get(TOKENS, {}))
    tokens.pop(str(export.id), None)
    web_session[TOKENS] = tokens
    return Response(
        body,
        mimetype=my_data.media_type(export.format),
        headers={
            "Content-Disposition": f'attachment; filename="{my_data.filename(export)}"',
            "Cache-Control": "no-store",
        },
    )
