"""The documents service's tables: one row per rendered (or failed) document."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.kit.db import UTCDateTime, add_kit_tables, new_metadata, utcnow

metadata = new_metadata()
add_kit_tables(metadata)

GENERATED = "generated"
FAILED = "failed"
DOCUMENT_STATUSES = (GENERATED, FAILED)


class Base(DeclarativeBase):
    metadata = metadata


class Document(Base):
    """A rendered document.  ``request_id`` makes rendering idempotent: a request seen
    again finds its document instead of rendering a second one."""

    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint("status IN ('generated', 'failed')", name="status"),
        Index("ix_document_client_created", "client_id", "created_at", "id"),
        Index("ix_document_subject", "subject_id", "created_at", "id"),
        Index("ix_document_program_created", "program", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False)
    program: Mapped[str] = mapped_column(String(80), nullable=False)
    subject_type: Mapped[str] = mapped_column(String(60), nullable=False)
    subject_id: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    filename: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str | None] = mapped_column(String(120))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    @property
    def download_path(self) -> str | None:
        return f"/api/v1/documents/{self.id}/content" if self.status == GENERATED else None
