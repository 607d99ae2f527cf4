"""My devices (passkeys) and signing out everywhere."""

from __future__ import annotations

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..access import Policy, fresh_proof, guard, needs_fresh_proof, safe_next
from ..audit import AuditAction, record
from ..auth.session import current_person, sign_out
from ..extensions import csrf, db
from ..links import external_url
from ..models import Credential, Person, utcnow

bp = Blueprint("account", __name__, url_prefix="/account")


def _me() -> Person:
    return current_person()


def _my_credentials() -> list[Credential]:
    return list(
        db.session.scalars(
            select(Credential)
            .where(Credential.person_id == _me().id)
            .order_by(Credential.created_at)
        )
    )


def _count(person: Person) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Credential).where(Credential.person_id == person.id)
    )


def _devices_page(**extra):
    """The devices page; pending passkeys are marked, and only a trusted session
    (not itself pending) is offered to confirm them."""
    from ..access import may_ask_for_own_data, session_is_pending

    now = utcnow()
    credentials = _my_credentials()
    return render_template(
        "account/devices.html",
        credentials=credentials,
        pending_ids={c.id for c in credentials if c.is_pending(now)},
        session_pending=session_is_pending(_me()),
        needs_proof=needs_fresh_proof(),
        may_ask_for_own_data=may_ask_for_own_data(_me()),
        **extra,
    )


@bp.get("/devices")
@guard(Policy.SIGNED_IN)
def devices():
    return _devices_page()


@bp.post("/devices/<int:credential_id>/rename")
@guard(Policy.OWN_CREDENTIAL)
def rename_device(credential_id: int):
    credential = g.credential
    name = request.form.get("name", "").strip()
    if not name or len(name) > 80:
        error = _("Skriv ett namn, högst 80 tecken.")
        return _devices_page(
            rename_errors={credential.id: error},
            rename_values={credential.id: request.form.get("name", "")},
        ), 400
    credential.name = name
    record(
        db.session,
        AuditAction.CREDENTIAL,
        _me(),
        object_type="credential",
        object_id=credential.id,
        detail="renamed",
    )
    db.session.commit()
    flash(_("Namnet är ändrat."), "success")
    return redirect(url_for("account.devices"), 303)


@bp.get("/devices/<int:credential_id>/remove")
@guard(Policy.OWN_CREDENTIAL)
@fresh_proof
def confirm_remove_device(credential_id: int):
    credential = g.credential
    return render_template(
        "account/remove_device.html", credential=credential, last=_count(_me()) == 1
    )


@bp.post("/devices/<int:credential_id>/remove")
@guard(Policy.OWN_CREDENTIAL)
@fresh_proof
def remove_device(credential_id: int):
    credential = g.credential
    was_last = _count(_me()) == 1
    record(
        db.session,
        AuditAction.CREDENTIAL,
        _me(),
        object_type="credential",
        object_id=credential.id,
        detail="removed",
    )
    db.session.delete(credential)
    db.session.commit()
    if was_last:
        flash(
            _(
                "Inloggningsnyckeln är borttagen. Lägg till en ny innan du loggar ut, "
                "annars behöver du en ny inbjudan."
            ),
            "warning",
        )
    else:
        flash(_("Inloggningsnyckeln är borttagen."), "success")
    return redirect(url_for("account.devices"), 303)


# --- fresh proof -------------------------------------------------------------------------


@bp.get("/confirm")
@guard(Policy.SIGNED_IN)
def confirm_it_is_you():
    """ "Is it still you?": one tap on the passkey, then back where the person was."""
    return render_template(
        "account/confirm.html",
        next=safe_next(request.args.get("next")) or url_for("account.devices"),
    )


# --- pending passkeys (added by re-invitation) ----------------------------------------------


@bp.post("/devices/<int:credential_id>/confirm")
@guard(Policy.CONFIRM_CREDENTIAL)
def confirm_device(credential_id: int):
    """One of the person's trusted devices says: yes, that new passkey is mine."""
    credential = g.credential
    credential.pending_until = None
    record(
        db.session,
        AuditAction.CREDENTIAL,
        _me(),
        object_type="credential",
        object_id=credential.id,
        detail="confirmed",
    )
    db.session.commit()
    flash(_("Inloggningsnyckeln är bekräftad."), "success")
    return redirect(url_for("account.devices"), 303)


@bp.post("/devices/<int:credential_id>/not-me")
@guard(Policy.OWN_CREDENTIAL)
def not_me(credential_id: int):
    """ "This wasn't me": the passkey goes (and with it its sessions), and the
    admins of the agency whose staff made the invitation are alerted."""
    from ..notifications import notify
    from .reports import admins_to_alert

    credential = g.credential
    me = _me()
    admins = admins_to_alert(db.session, me)
    record(
        db.session,
        AuditAction.CREDENTIAL,
        me,
        object_type="credential",
        object_id=credential.id,
        detail="reported_not_me",
    )
    db.session.delete(credential)
    notify(db.session, admins, None, "passkey_reported")
    db.session.commit()
    flash(
        _(
            "Inloggningsnyckeln är borttagen och kan inte användas. "
            "Vi har sagt till en administratör."
        ),
        "success",
    )
    return redirect(url_for("account.devices"), 303)


@bp.post("/sign-out-everywhere")
@guard(Policy.SIGNED_IN)
def sign_out_everywhere():
    """Every session of this person ends: their session version moves on."""
    from ..push import forget_devices
    from .feeds import revoke_feeds

    me = _me()
    me.session_version += 1
    revoke_feeds(db.session, me)  # a lost phone's calendar stops receiving meetings too
    forget_devices(db.session, me)  # ... and its notices
    record(db.session, AuditAction.SIGN_OUT, me, detail="everywhere")
    db.session.commit()
    sign_out()
    flash(_("Du är utloggad på alla enheter."), "success")
    return redirect(url_for("auth.sign_in_page"), 303)


# --- calendar feed -----------------------------------------------------------------------


@bp.get("/calendar")
@guard(Policy.SIGNED_IN)
def calendar():
    from .feeds import active_feed

    return render_template("account/calendar.html", feed=active_feed(db.session, _me()))


@bp.post("/calendar/feed")
@guard(Policy.SIGNED_IN)
def create_calendar_feed():
    """Show the new address once; it is not stored, only its hash."""
    from .feeds import new_feed

    token = new_feed(db.session, _me())
    record(db.session, AuditAction.EXPORT, _me(), object_type="calendar_feed", detail="created")
    db.session.commit()
    feed_url = external_url("feeds.calendar_feed", token=token)
    webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    return render_template(
        "account/calendar.html", feed_url=feed_url, webcal_url=webcal_url, feed=True
    )


@bp.post("/calendar/feed/revoke")
@guard(Policy.SIGNED_IN)
def revoke_calendar_feed():
    from .feeds import revoke_feeds

    revoke_feeds(db.session, _me())
    record(db.session, AuditAction.EXPORT, _me(), object_type="calendar_feed", detail="revoked")
    db.session.commit()
    flash(
        _("Kalenderlänken är avstängd. Kalendrar som använde den får inga fler möten."), "success"
    )
    return redirect(url_for("account.calendar"), 303)


# --- notifications -----------------------------------------------------------------------


@bp.get("/notifications")
@guard(Policy.SIGNED_IN)
def notifications():
    from ..consent.services import remind_expiring
    from ..notifications import recent

    if remind_expiring(db.session, person=_me()):
        db.session.commit()
    return render_template("account/notifications.html", items=recent(db.session, _me()))


@bp.post("/notifications/read")
@guard(Policy.SIGNED_IN)
def read_notifications():
    from ..notifications import mark_all_read

    mark_all_read(db.session, _me())
    db.session.commit()
    return redirect(url_for("account.notifications"), 303)


# --- how notices reach me (issue 13) --------------------------------------------------------


def _topic_labels() -> list[tuple[str, str]]:
    """The topics a person can have by e-mail, with their names."""
    from ..notifications import EMAIL_TOPICS

    names = {
        "consent": _("Samtycke"),
        "meetings": _("Möten och dina tankar inför dem"),
        "plan": _("Planen och svar från teamet"),
        "account": _("Inloggning och nya enheter"),
    }
    return [(topic, names[topic]) for topic in EMAIL_TOPICS]


EMAIL_MAX = 254


def _email_error(address: str) -> str | None:
    """What is wrong with a typed address, in words a person can act on."""
    if len(address) > EMAIL_MAX:
        return _("E-postadressen är för lång.")
    local, at, domain = address.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain.strip(".")
        or any(c.isspace() for c in address)
        or "@" in domain
    ):
        return _("Skriv en e-postadress som namn@exempel.se.")
    return None


def _devices_text(count: int) -> str:
    return ngettext(
        "%(num)d telefon eller dator får dina notiser.",
        "%(num)d telefoner eller datorer får dina notiser.",
        count,
    )


def _channels(me: Person) -> list[str]:
    """The channels this person chooses topics for: e-mail once they have an
    address (a child under 13 may choose before a grown-up's yes), push where
    this server sends it."""
    from ..access import may_turn_on_push
    from ..notifications import EMAIL, PUSH

    channels = [EMAIL] if me.email else []
    if may_turn_on_push(me):
        channels.append(PUSH)
    return channels


def _settings_page(typed_email: str | None = None, email_error: str | None = None, status=200):
    """The settings page: the address, the topics per channel, this phone's
    notices, and (for a guardian) the yes to e-mail for each child under 13.
    Re-drawn with what was typed on an error."""
    from ..access import (
        child_email_approved,
        child_needs_email_approval,
        children_whose_email_i_decide,
    )
    from ..models import ChildEmailApproval
    from ..notifications import EMAIL, PUSH, topics_on
    from ..push import application_server_key, device_count

    me = _me()
    topics = _topic_labels()
    channels = _channels(me)
    children = children_whose_email_i_decide(db.session, me)
    my_yes = set(
        db.session.scalars(
            select(ChildEmailApproval.child_id).where(ChildEmailApproval.guardian_id == me.id)
        )
    )
    needs_yes = child_needs_email_approval(db.session, me)
    devices = device_count(db.session, me) if PUSH in channels else 0
    names, email = [t for t, _n in topics], EMAIL in channels
    return (
        render_template(
            "account/notification_settings.html",
            topics=topics,
            typed_email=(me.email or "") if typed_email is None else typed_email,
            email_error=email_error,
            email_possible=email,
            needs_yes=needs_yes,
            has_yes=needs_yes and child_email_approved(db.session, me),
            email_on=topics_on(db.session, me, names, EMAIL, needs_yes) if email else set(),
            push_possible=PUSH in channels,
            push_on=topics_on(db.session, me, names, PUSH) if PUSH in channels else set(),
            push_key=application_server_key() if PUSH in channels else None,
            devices=devices,
            devices_text=_devices_text(devices),
            children=[(child, child.id in my_yes) for child in children],
        ),
        status,
    )


@bp.route("/notifications/settings", methods=["GET", "POST"])
@guard(Policy.SIGNED_IN)
def notification_settings():
    """In the app a person always gets their notices; e-mail and push per topic,
    on or off. A plain form (no JavaScript): a box per topic and channel, one
    button. Turning push on for a phone needs the browser (static/js/push.js)."""
    from ..notifications import set_setting

    me = _me()
    channels = _channels(me)
    if request.method == "POST" and channels:
        for channel in channels:
            chosen = set(request.form.getlist(channel))
            for topic, _name in _topic_labels():
                set_setting(db.session, me, topic, channel, topic in chosen)
        db.session.commit()
        flash(_("Dina val är sparade."), "success")
        return redirect(url_for("account.notification_settings"), 303)
    return _settings_page()


@bp.post("/notifications/email")
@guard(Policy.SIGNED_IN)
@fresh_proof
def set_email():
    """A person's own address for notices; empty removes it. Where notices go is
    a sensitive choice (they could be redirected), so it needs a fresh passkey
    tap, and the audit says it changed (never the address)."""
    typed = request.form.get("email", "").strip()
    error = _email_error(typed) if typed else None
    if error:
        return _settings_page(typed, error, 422)
    me = _me()
    if (me.email or "") != typed:
        me.email = typed or None
        record(
            db.session, AuditAction.WRITE, me, None, "email", me.id, "set" if typed else "removed"
        )
        db.session.commit()
    flash(
        _("Din e-postadress är sparad.") if typed else _("Din e-postadress är borttagen."),
        "success",
    )
    return redirect(url_for("account.notification_settings"), 303)


@bp.post("/notifications/child/<int:child_id>")
@guard(Policy.DECIDE_CHILD_EMAIL)
def decide_child_email(child_id: int):
    """A guardian with custody says yes (or takes it back) to e-mail for a child
    under 13. The state asked for is posted, so a double submit changes nothing."""
    from ..i18n import isolate
    from ..models import ChildEmailApproval

    me, child = _me(), g.child
    yes = request.form.get("allow") == "yes"
    row = db.session.scalar(
        select(ChildEmailApproval).where(
            ChildEmailApproval.child_id == child.id, ChildEmailApproval.guardian_id == me.id
        )
    )
    if yes and row is None:
        db.session.add(ChildEmailApproval(child_id=child.id, guardian_id=me.id))
    elif not yes and row is not None:
        db.session.delete(row)
    record(db.session, AuditAction.WRITE, me, None, "child_email", child.id, "yes" if yes else "no")
    db.session.commit()
    name = isolate(child.first_name)
    flash(
        _("Du har sagt ja till e-post för %(name)s.", name=name)
        if yes
        else _("Du har sagt nej till e-post för %(name)s.", name=name),
        "success",
    )
    return redirect(url_for("account.notification_settings"), 303)


@bp.post("/push/subscribe")
@guard(Policy.TURN_ON_PUSH)
def push_subscribe():
    """The browser's PushSubscription.toJSON() (sent by static/js/push.js with the
    CSRF header): this browser now gets the person's notices. Bad input is a 400
    with the part that was wrong, never a 500."""
    from ..push import InvalidSubscription, check_subscription, device_count, save_subscription

    try:
        found = check_subscription(request.get_json(silent=True))
    except InvalidSubscription as exc:
        return jsonify(error=exc.code), 400
    save_subscription(db.session, _me(), found)
    db.session.commit()
    count = device_count(db.session, _me())
    return jsonify(devices=count, devices_text=_devices_text(count)), 201


@bp.post("/push/unsubscribe")
@guard(Policy.OWN_PUSH_SUBSCRIPTION)
def push_unsubscribe():
    """This browser (named by its endpoint) gets no more notices."""
    from ..push import device_count

    db.session.delete(g.push_subscription)
    db.session.commit()
    count = device_count(db.session, _me())
    if request.is_json:
        return jsonify(devices=count, devices_text=_devices_text(count))
    flash(_("Den här telefonen får inte längre notiser."), "success")
    return redirect(url_for("account.notification_settings"), 303)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click from a mail program carries no CSRF token: the
# signed link itself is the proof, and all it can do is turn one kind of e-mail off.
@guard(Policy.UNSUBSCRIBE_TOKEN)
def unsubscribe(token: str):
    """The one link in every e-mail: GET asks (no change on GET), POST turns that
    topic's e-mail off for that person. No sign-in needed."""
    from ..notifications import EMAIL, set_setting

    person, topic = g.unsubscribe
    done = request.method == "POST"
    if done:
        set_setting(db.session, person, topic, EMAIL, False)
        db.session.commit()
    with force_locale(person.preferred_language):
        return render_template(
            "account/unsubscribe.html",
            topic_name=dict(_topic_labels())[topic],
            done=done,
        )
