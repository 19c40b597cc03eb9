"""The audit trail: who among the staff did what, when, and what it changed.

Rows are only ever added. The database itself refuses to change or delete one (triggers,
created with the table on SQLite and PostgreSQL alike), and each row carries a digest over its
content and the digest of the row before it, so a row changed, removed or slipped in by someone
who got past the triggers breaks the chain (``flask --app pb audit verify``).

No foreign keys: an entry must outlive the account, the municipality and the thing it names,
and a cascade or a SET NULL would be an UPDATE or DELETE the triggers refuse.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from pb.extensions import Model
from pb.models.base import UTCDateTime

REFUSAL = "audit entries are append-only"


class AuditEntry(Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        # A municipality's page lists its entries newest first.
        Index("ix_audit_entries_municipality_id_id", "municipality_id", "id"),
    )

    # Given by pb.audit.trail (the previous entry's plus one, under the chain's lock), not by
    # the database: the number is part of what the digest covers.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Null only for what no signed-in person did (a command run on the server).
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # The name as it was then: accounts are renamed and deleted, the record is not.
    actor_name: Mapped[str] = mapped_column(String(200))
    # Null for what belongs to no municipality (an administrator's own actions).
    municipality_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    # Only the fields that changed; never a ballot's choices, a code, a receipt or a password.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_digest: Mapped[str | None] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)


# The same statements are in the migration (15a0a0d17a01); db.create_all() runs these.
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    f"CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
)
POSTGRESQL_TRIGGERS = (
    f"CREATE OR REPLACE FUNCTION audit_entries_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse()",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse()",
)

for _statement in SQLITE_TRIGGERS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_TRIGGERS:
    event.listen(
        AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
