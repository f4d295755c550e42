"""The workspace's tables, as SQLAlchemy 2 declarative models.

Multi-valued attributes (aliases, phones, payment methods...) are JSON lists: they are read whole, never
joined on, and keep the schema the same on SQLite and PostgreSQL. Every imported row keeps its ``origin``
(file and row) so that a finding's evidence can point back to the line a user wrote.
The migrations in ``migrations/versions`` create exactly these tables; a test compares the two.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonValue = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Base of every workspace table."""


class Vendor(Base):
    """A company in the outsourcing chain (the studio's own vendors and everyone below them)."""

    __tablename__ = "vendors"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    country: Mapped[str | None] = mapped_column(String(8))
    city: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    registration_numbers: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    website: Mapped[str | None] = mapped_column(Text)
    email_domains: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    phones: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    bank_country: Mapped[str | None] = mapped_column(String(8))
    payee: Mapped[str | None] = mapped_column(Text)
    payment_methods: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    languages: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    productions: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)


class Person(Base):
    """A person tied to a vendor: owner, director, employee, contact."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    nationality: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    role: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)


class Link(Base):
    """A directed relation between two parties, declared by the chain or observed in evidence.

    ``subcontracts_to`` points from the client to the party it hands work to; ``owns``, ``directs`` and
    ``employs`` point from owner, director or employer to the vendor or person; ``pays`` from payer to payee.
    """

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("kind", "source_kind", "source_id", "target_kind", "target_id", "status"),
        Index("ix_links_target", "target_kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    source_kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(200))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    production: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)


class Account(Base):
    """A user name on a studio system (asset portal, file server) and the vendor it belongs to."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("portal", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    portal: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str] = mapped_column(String(320))
    vendor_id: Mapped[str | None] = mapped_column(ForeignKey("vendors.id"))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    origin: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)


class Run(Base):
    """One ``analyze`` run: which rules ran, when, and how many findings it stored."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    rules: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    finding_count: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(200))
    #: What ran the log queries: ``duckdb``, or ``spark`` and its master (``spark local[*]``); null before 0010.
    engine: Mapped[str | None] = mapped_column(String(200), nullable=True)


class FindingRow(Base):
    """A finding as stored for one run; ``id`` is stable across runs for the same fact."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_subject", "subject_kind", "subject_id"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(200))
    subject_name: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)


class AuditEntry(Base):
    """One line of the append-only, hash-chained audit log (see :mod:`celtrace.workspace.audit`)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(200))
    # Plain JSON, not JSONB: JSONB rewrites numbers (1e16, -0.0), which would break the entry's hash.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class SanctionList(Base):
    """One load of one sanctions list. Reloading a list adds a row and retires the previous one, so the
    workspace remembers every publication date it has screened against."""

    __tablename__ = "sanction_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(40))
    published: Mapped[str | None] = mapped_column(String(40))
    loaded_at: Mapped[str] = mapped_column(String(40))
    files: Mapped[list[dict[str, Any]]] = mapped_column(JsonValue, default=list)
    target_count: Mapped[int] = mapped_column(Integer, default=0)
    programs: Mapped[dict[str, int]] = mapped_column(JsonValue, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TargetRow(Base):
    """A listed party of an active list load (see :class:`celtrace.lists.model.Target`)."""

    __tablename__ = "targets"

    list_id: Mapped[int] = mapped_column(ForeignKey("sanction_lists.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    schema: Mapped[str] = mapped_column(String(40))
    names: Mapped[list[dict[str, Any]]] = mapped_column(JsonValue, default=list)
    programs: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    countries: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    addresses: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    identifiers: Mapped[list[dict[str, Any]]] = mapped_column(JsonValue, default=list)
    birth_dates: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    listed_on: Mapped[str | None] = mapped_column(String(40))
    remarks: Mapped[str | None] = mapped_column(Text)


class Trove(Base):
    """One body of found material taken in: a folder, an archive or a listing, under a case name."""

    __tablename__ = "troves"
    __table_args__ = (UniqueConstraint("case", "root"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case: Mapped[str] = mapped_column(String(200))
    root: Mapped[str] = mapped_column(Text)
    started_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Who held the material (a server's operator, the company whose drive it is), when the user knows.
    holder: Mapped[str | None] = mapped_column(Text)


class TroveItemRow(Base):
    """One line of a trove's custody manifest: append-only, each line sealed with the hash of the one before."""

    __tablename__ = "trove_items"
    __table_args__ = (UniqueConstraint("trove_id", "display_path"), UniqueConstraint("trove_id", "seq"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trove_id: Mapped[int] = mapped_column(ForeignKey("troves.id"))
    seq: Mapped[int] = mapped_column(Integer)
    path: Mapped[list[str]] = mapped_column(JSON, default=list)
    display_path: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(40))
    extension_lies: Mapped[bool] = mapped_column(Boolean, default=False)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    taken_at: Mapped[str] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Asset(Base):
    """A registered drawing (or page, or frame source) that the studio sends out."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(Text)
    production: Mapped[str] = mapped_column(String(200))
    episode: Mapped[str | None] = mapped_column(String(100))
    scene: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int] = mapped_column(Integer, default=1)
    registered_at: Mapped[str] = mapped_column(String(40))


class FingerprintRow(Base):
    """A global fingerprint of one page of an asset (PDQ: 256 bits, as 64 hexadecimal digits)."""

    __tablename__ = "fingerprints"

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    method: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    quality: Mapped[int] = mapped_column(Integer)


class TroveFingerprint(Base):
    """A global fingerprint of one page of an image found in a trove, for matching against the registry."""

    __tablename__ = "trove_fingerprints"

    item_id: Mapped[int] = mapped_column(ForeignKey("trove_items.id"), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    method: Mapped[str] = mapped_column(String(20), primary_key=True)
    # All eight dihedral variants, space-separated hex: a found copy may be turned or mirrored.
    variants: Mapped[str] = mapped_column(Text)


class TroveDocument(Base):
    """What a document found in a trove says (``docs inspect``'s JSON), or why it could not be read."""

    __tablename__ = "trove_documents"

    item_id: Mapped[int] = mapped_column(ForeignKey("trove_items.id"), primary_key=True)
    inspection: Mapped[dict[str, Any] | None] = mapped_column(JsonValue, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class AssetFeatures(Base):
    """Local features of one page of an asset: ORB keypoints (float16 x, y) and their 32-byte descriptors."""

    __tablename__ = "asset_features"

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    points: Mapped[bytes] = mapped_column(LargeBinary)
    descriptors: Mapped[bytes] = mapped_column(LargeBinary)


class TroveFeatures(Base):
    """Local features of one page of an image found in a trove, kept so matching needs no second read."""

    __tablename__ = "trove_features"

    item_id: Mapped[int] = mapped_column(ForeignKey("trove_items.id"), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    points: Mapped[bytes] = mapped_column(LargeBinary)
    descriptors: Mapped[bytes] = mapped_column(LargeBinary)


class LogFile(Base):
    """One imported log file: where its events are (a Parquet file in the workspace) and how reading went."""

    __tablename__ = "log_files"
    __table_args__ = (UniqueConstraint("source", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[int] = mapped_column(BigInteger)  # non-blank lines read: events + rejected
    events: Mapped[int] = mapped_column(BigInteger)
    rejected: Mapped[int] = mapped_column(BigInteger)
    #: Up to ``importer.SAMPLES`` rejected lines as {"line": n, "text": ...}, for ``logs stats``.
    samples: Mapped[list[dict[str, Any]]] = mapped_column(JsonValue, default=list)
    first_ts: Mapped[str | None] = mapped_column(String(40))
    last_ts: Mapped[str | None] = mapped_column(String(40))
    parquet: Mapped[str] = mapped_column(Text)  # relative to the workspace's files folder
    imported_at: Mapped[str] = mapped_column(String(40))
    #: What read the file: ``duckdb``, or ``spark`` and its master; null before 0010.
    engine: Mapped[str | None] = mapped_column(String(200), nullable=True)


class WorkspaceSecret(Base):
    """A secret the workspace made for itself (the watermark secret), kept in the store so a team shares it."""

    __tablename__ = "workspace_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))


class Delivery(Base):
    """One ``deliver``: watermarked copies of drawings sent to one vendor; ``id`` is the payload they carry."""

    __tablename__ = "deliveries"

    # A 32-bit unsigned payload does not fit PostgreSQL's INTEGER; drawn at random, never by autoincrement.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: The chain's vendor id when the name given is a known vendor, else None (the name alone is kept).
    vendor_id: Mapped[str | None] = mapped_column(String(200), index=True)
    vendor_name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    out_dir: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class DeliveryItem(Base):
    """One drawing of a delivery: the copy's file name and digest, so a found file can be checked against it."""

    __tablename__ = "delivery_items"

    delivery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True, index=True)
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(16))


class TroveWatermark(Base):
    """The watermark read from a trove image against one registered asset it matches, at scan time.

    ``delivery_id`` is set only when the decoder named a delivery of that asset with a false-attribution
    bound under ``watermark.MAX_FALSE_ATTRIBUTION``; otherwise ``reason`` says why not.
    """

    __tablename__ = "trove_watermarks"

    item_id: Mapped[int] = mapped_column(ForeignKey("trove_items.id"), primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True)
    delivery_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("deliveries.id"), nullable=True)
    z: Mapped[float] = mapped_column(Float)
    bound: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    decoded_at: Mapped[str] = mapped_column(String(40))


class User(Base):
    """A person who may sign in to the dashboard when it listens beyond loopback."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: An Argon2id hash in PHC format (``$argon2id$v=19$...``); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FindingReview(Base):
    """The latest review decision on a finding; keyed by the finding's id, which stays the same across runs.

    Only the latest decision is kept here: the audit log holds every one, with who made it and when.
    """

    __tablename__ = "finding_reviews"

    finding_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[str] = mapped_column(String(40))
