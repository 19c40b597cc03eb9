"""voting: lighter writes per vote (no separate index on voter_links.consultation_id; room on
voting_codes' pages for the one update of each code)

Revision ID: 5b2e8c41d9a7
Revises: 07698830b90a
Create Date: 2026-11-25 17:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b2e8c41d9a7'
down_revision = '07698830b90a'
branch_labels = None
depends_on = None


def upgrade():
    # The unique constraint on (consultation_id, user_id) leads with the same column.
    with op.batch_alter_table('voter_links', schema=None) as batch_op:
        batch_op.drop_index('ix_voter_links_consultation_id')
    if op.get_bind().dialect.name == 'postgresql':
        # Applies to pages written from now on; the codes already generated keep theirs.
        op.execute('ALTER TABLE voting_codes SET (fillfactor = 50)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE voting_codes RESET (fillfactor)')
    with op.batch_alter_table('voter_links', schema=None) as batch_op:
        batch_op.create_index('ix_voter_links_consultation_id', ['consultation_id'], unique=False)
