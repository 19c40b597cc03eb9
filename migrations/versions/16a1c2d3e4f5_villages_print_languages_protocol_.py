"""villages: print languages, protocol, regions, contacts, notices

Revision ID: 16a1c2d3e4f5
Revises: 17f57438a6d7
Create Date: 2026-12-03 15:16:50.047884

For issue 16: the drawn order of printed paper ballots, the council session's record on a
decision (with its vote counts checked), regions in Russian and English beside the Kyrgyz one,
the officer's name among a municipality's contacts, and the notices that wait for a resident.
The category of imported consultations, stored until now as "Imported" in the importer's
language, becomes the standard category "imported", named in the reader's language.
"""
from alembic import op
import sqlalchemy as sa

import pb.models.base


# revision identifiers, used by Alembic.
revision = '16a1c2d3e4f5'
down_revision = '17f57438a6d7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accepted', 'rejected', 'merged', name='noticekind', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', pb.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_notices_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_order_seed', sa.String(length=32), nullable=True))

    with op.batch_alter_table('council_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protocol_number', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('session', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('votes_for', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('votes_against', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('votes_abstained', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deputies_present', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('commission', sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            "votes_counts", "votes_for >= 0 AND votes_against >= 0 AND votes_abstained >= 0"
        )
        batch_op.create_check_constraint(
            "votes_within_present",
            "deputies_present IS NULL OR votes_for + votes_against + votes_abstained"
            " <= deputies_present",
        )

    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_ru', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('region_en', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=100), nullable=True))

    # The names the importer gave the category in each language before it had a key.
    op.execute(
        "UPDATE categories SET key = 'imported', name = NULL WHERE key IS NULL"
        " AND name IN ('Imported', 'Импорттолгон', 'Импортированные')"
    )


def downgrade():
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_column('contact_name')
        batch_op.drop_column('region_en')
        batch_op.drop_column('region_ru')

    op.execute("UPDATE categories SET name = 'Imported', key = NULL WHERE key = 'imported'")
    with op.batch_alter_table('council_decisions', schema=None) as batch_op:
        batch_op.drop_constraint("votes_within_present", type_="check")
        batch_op.drop_constraint("votes_counts", type_="check")
        batch_op.drop_column('commission')
        batch_op.drop_column('deputies_present')
        batch_op.drop_column('votes_abstained')
        batch_op.drop_column('votes_against')
        batch_op.drop_column('votes_for')
        batch_op.drop_column('session')
        batch_op.drop_column('protocol_number')

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('paper_order_seed')

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_user_id'))
        batch_op.drop_index(batch_op.f('ix_notices_proposal_id'))

    op.drop_table('notices')
