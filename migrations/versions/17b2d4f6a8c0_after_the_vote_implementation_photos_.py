"""after the vote: implementation, photos, problem reports

Revision ID: 17b2d4f6a8c0
Revises: 16a1c2d3e4f5
For issue 17: what became of each funded project (its implementation and dated updates),
photos kept in the database in their web sizes (for updates, and for proposals at review),
and residents' reports of problems with the officers' answers. New tables only.

Create Date: 2026-12-03 15:53:23.485833

"""
from alembic import op
import sqlalchemy as sa

import pb.models.base


# revision identifiers, used by Alembic.
revision = '17b2d4f6a8c0'
down_revision = '16a1c2d3e4f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alt_text', sa.String(length=300), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pb.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_photos_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos'))
    )
    op.create_table('photo_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=30), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_photo_files_photo_id_photos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_files')),
    sa.UniqueConstraint('photo_id', 'size', name=op.f('uq_photo_files_photo_id_size'))
    )
    op.create_table('implementations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'procurement', 'under_way', 'completed', 'postponed', 'cancelled', name='implementationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('planned_cost', sa.Integer(), nullable=False),
    sa.Column('actual_cost', sa.Integer(), nullable=True),
    sa.Column('community_money', sa.Integer(), nullable=True),
    sa.Column('community_labour', sa.Text(), nullable=True),
    sa.Column('contractor', sa.String(length=200), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('finished_on', sa.Date(), nullable=True),
    sa.Column('changes', sa.Text(), nullable=True),
    sa.Column('updated_at', pb.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_implementations_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_implementations')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_implementations_proposal_id'))
    )
    op.create_table('problem_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pb.models.base.UTCDateTime(), nullable=False),
    sa.Column('hidden_at', pb.models.base.UTCDateTime(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_problem_reports_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_problem_reports_hidden_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_problem_reports_photo_id_photos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_problem_reports_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_reports'))
    )
    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_reports_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_reports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_reports_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_photos',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_proposal_photos_photo_id_photos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_photos_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'photo_id', name=op.f('pk_proposal_photos'))
    )
    op.create_table('implementation_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('implementation_id', sa.Integer(), nullable=False),
    sa.Column('posted_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pb.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_implementation_updates_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['implementation_id'], ['implementations.id'], name=op.f('fk_implementation_updates_implementation_id_implementations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_implementation_updates'))
    )
    with op.batch_alter_table('implementation_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_implementation_updates_implementation_id'), ['implementation_id'], unique=False)

    op.create_table('report_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', pb.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_report_answers_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['problem_reports.id'], name=op.f('fk_report_answers_report_id_problem_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_answers'))
    )
    with op.batch_alter_table('report_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_answers_report_id'), ['report_id'], unique=False)

    op.create_table('implementation_update_photos',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_implementation_update_photos_photo_id_photos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['implementation_updates.id'], name=op.f('fk_implementation_update_photos_update_id_implementation_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('update_id', 'photo_id', name=op.f('pk_implementation_update_photos'))
    )


def downgrade():
    op.drop_table('implementation_update_photos')
    with op.batch_alter_table('report_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_answers_report_id'))

    op.drop_table('report_answers')
    with op.batch_alter_table('implementation_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_implementation_updates_implementation_id'))

    op.drop_table('implementation_updates')
    op.drop_table('proposal_photos')
    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_reports_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_problem_reports_created_at'))
        batch_op.drop_index(batch_op.f('ix_problem_reports_author_id'))

    op.drop_table('problem_reports')
    op.drop_table('implementations')
    op.drop_table('photo_files')
    op.drop_table('photos')
