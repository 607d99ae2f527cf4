"""Audit events (append-only), in-app notifications and their outgoing deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """Who did what with a child's data, when. Never updated or deleted by the app.

    ``detail`` holds codes, never free text a person wrote.
    """

    __tablename__ = "audit_events"
    # A plan's events, and every column the family's access log groups them by:
    # the log is read from the index alone, staff rows only (family reads, most of
    # a plan's rows, have no agency and lie outside the range it reads).
    __table_args__ = (
        Index(
            "ix_audit_events_plan_log", "plan_id", "actor_agency_id", "action", "object_type", "at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    actor_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(200), default="")


class Notification(Base):
    """An in-app notice. Its text is made from ``kind`` at display time, in the
    reader's language; it never carries the content itself."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryStatus:
    """A delivery's life: pending -> sending (claimed by a consumer) -> sent,
    or back to pending with a later ``next_attempt_at``, and ``failed`` after
    the last retry; ``skipped`` when the person turned it off in between."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # turned off or no longer allowed before it was sent


class Delivery(Base):
    """One notification on one outgoing channel (the outbox).

    Written in the same transaction as the change that caused the notification,
    so a crash can neither lose it nor leave a delivery for a change that was
    rolled back. ``last_error`` holds an error class and code, never an address
    or any text of the message."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(100), default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationSetting(Base):
    """A person's own choice for one topic on one channel. Only choices that
    differ from nothing are stored: without a row the default in
    ``notifications.default_on`` holds."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        UniqueConstraint("person_id", "topic", "channel", name="notification_setting_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChildEmailApproval(Base):
    """A guardian with custody said yes to e-mail for a child under 13 (issue 13).
    The child must turn e-mail on as well; either can take it back."""

    __tablename__ = "child_email_approvals"
    __table_args__ = (
        UniqueConstraint("child_id", "guardian_id", name="child_email_approval_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    guardian_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushSubscription(Base):
    """One browser that gets Web Push notices for one person (issue 13).

    What the browser's ``PushSubscription.toJSON()`` gave: the push service's
    address and the keys the notice is encrypted with. The endpoint identifies a
    device, so it is never logged; a push service answering 404 or 410 removes
    the row. An endpoint belongs to one person at a time: a shared phone that
    someone else turns notices on for moves to them."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))  # base64url, 65 bytes
    auth: Mapped[str] = mapped_column(String(30))  # base64url, 16 bytes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
