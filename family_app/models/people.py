"""Agencies and the people who sign in."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class AgencyKind(StrEnum):
    BUP = "bup"
    SOCIAL_SERVICES = "social_services"
    SCHOOL_HEALTH = "school_health"
    PRIMARY_CARE = "primary_care"
    HABILITATION = "habilitation"
    SIS = "sis"
    HVB = "hvb"
    OTHER = "other"


class PrincipalKind(StrEnum):
    REGION = "region"
    MUNICIPALITY = "municipality"
    STATE = "state"
    PRIVATE = "private"
    OTHER = "other"


class Agency(Base):
    """A unit that gives help: BUP Mark, Socialtjänsten Orust, Elevhälsan Götene."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30), default=AgencyKind.OTHER)
    principal: Mapped[str] = mapped_column(String(30), default=PrincipalKind.OTHER)
    description: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    people: Mapped[list[Person]] = relationship(back_populates="agency")

    @property
    def may_hold_overall_responsibility(self) -> bool:
        """Huvudansvar lies with the region or the municipality (HSL/SoL)."""
        return self.principal in (PrincipalKind.REGION, PrincipalKind.MUNICIPALITY)


def new_user_handle() -> bytes:
    return secrets.token_bytes(32)


class Person(Base):
    """Anyone who signs in: a child, a guardian, a professional or an admin."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    preferred_language: Mapped[str] = mapped_column(String(10), default="sv")
    birth_date: Mapped[date | None] = mapped_column(Date)
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    # Where e-mail notices go (issue 13); never shown to other people.
    email: Mapped[str | None] = mapped_column(String(254))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by the agency's admin (issue 12): may be added to plans to translate their
    # family-facing texts, and nothing else of them. Unset, every such access ends.
    is_translator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Random WebAuthn user handle: never the database id, never personal data.
    user_handle: Mapped[bytes] = mapped_column(
        LargeBinary(64), unique=True, default=new_user_handle
    )
    # Bumped by "sign out everywhere": sessions carrying an older number end.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Demo and CLI idempotency key; never shown.
    external_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency | None] = relationship(back_populates="people")

    def age_on(self, day: date) -> int | None:
        """Whole years on ``day``; None when the birth date is unknown."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def first_name(self) -> str:
        return self.display_name.split(" ")[0]
