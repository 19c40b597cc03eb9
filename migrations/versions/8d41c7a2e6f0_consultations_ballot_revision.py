"""consultations: ballot_revision, raised by every change to what a ballot sheet holds

Revision ID: 8d41c7a2e6f0
Revises: 5b2e8c41d9a7
Create Date: 2026-12-03 07:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8d41c7a2e6f0"
down_revision = "5b2e8c41d9a7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ballot_revision", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_column("ballot_revision")
