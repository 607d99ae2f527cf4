"""A person's request for their own data (GDPR art. 15): "My data"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .people import Person


class ExportFormat:
    """What the person gets: a page to read, or a file for another program."""

    HTML = "html"
    JSON = "json"
    ALL = (HTML, JSON)


class DataExport(Base):
    """One request: prepared (by the queue for large plans), kept for seven days,
    downloaded once. The download token is only stored hashed; the content is
    deleted as soon as it has been downloaded, or when the request expires."""

    __tablename__ = "data_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locale: Mapped[str] = mapped_column(String(10), default="sv")
    format: Mapped[str] = mapped_column(String(10), default=ExportFormat.HTML)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The prepared file, and the digest of the data it was made from: at download
    # the data is read again with the person's access *then*, and the file is
    # made again if anything differs (family_app/account/my_data.py).
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    digest: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person] = relationship()

    def status(self, now: datetime) -> str:
        """waiting | ready | downloaded | expired (what the page says)."""
        if self.downloaded_at is not None:
            return "downloaded"
        if self.expires_at <= now:
            return "expired"
        return "ready" if self.prepared_at is not None else "waiting"
