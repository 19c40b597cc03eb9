"""keys: the fingerprint of the site's vote key, shared by every host

Revision ID: 15b0c3e1f2a4
Revises: 15a0a0d17a01
Create Date: 2026-12-03 12:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

import pb.models.base

# revision identifiers, used by Alembic.
revision = "15b0c3e1f2a4"
down_revision = "15a0a0d17a01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "key_fingerprints",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("updated_at", pb.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_key_fingerprints")),
    )


def downgrade():
    op.drop_table("key_fingerprints")
