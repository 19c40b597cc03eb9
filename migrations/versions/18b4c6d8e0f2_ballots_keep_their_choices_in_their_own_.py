"""Ballots keep their choices in their own row (issue 18)

A ballot is written, replaced, counted and sealed whole: its choices move from the
ballot_choices table, one row per choice, into the ballot's own row as text ("12:1,40:3", by
proposal id; pb.models.voting.pack_choices). Sealing a city's vote then rewrites one row per
ballot instead of five or so, none of them checking foreign keys one by one.

Revision ID: 18b4c6d8e0f2
Revises: 18a1b2c3d4e5
Create Date: 2026-12-03 21:15:56.804256

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "18b4c6d8e0f2"
down_revision = "18a1b2c3d4e5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choices", sa.Text(), server_default="", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE ballots SET choices = packed.choices FROM ("
            " SELECT ballot_id, string_agg(proposal_id || ':' || points, ',' ORDER BY proposal_id)"
            " AS choices FROM ballot_choices GROUP BY ballot_id"
            ") AS packed WHERE packed.ballot_id = ballots.id"
        )
    else:
        # SQLite's group_concat keeps the order of the rows it is given.
        op.execute(
            "UPDATE ballots SET choices = coalesce(("
            " SELECT group_concat(choice, ',') FROM ("
            "  SELECT proposal_id || ':' || points AS choice FROM ballot_choices"
            "  WHERE ballot_id = ballots.id ORDER BY proposal_id"
            " )"
            "), '')"
        )
    with op.batch_alter_table("ballot_choices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_choices_proposal_id"))
    op.drop_table("ballot_choices")


def downgrade():
    bind = op.get_bind()
    ballots = sa.table("ballots", sa.column("id", sa.String), sa.column("choices", sa.Text))
    rows = []
    for ballot_id, packed in bind.execute(sa.select(ballots.c.id, ballots.c.choices)):
        for item in filter(None, (packed or "").split(",")):
            proposal_id, _, points = item.partition(":")
            rows.append(
                {"ballot_id": ballot_id, "proposal_id": int(proposal_id), "points": int(points)}
            )
    # Before the choices' table exists: on SQLite dropping a column copies the table and drops
    # the old one, which would delete every choice row by its foreign key's cascade.
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_column("choices")
    choices = op.create_table(
        "ballot_choices",
        sa.Column("ballot_id", sa.VARCHAR(length=32), nullable=False),
        sa.Column("proposal_id", sa.INTEGER(), nullable=False),
        sa.Column("points", sa.INTEGER(), nullable=False),
        sa.CheckConstraint("points > 0", name=op.f("ck_ballot_choices_points_positive")),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_ballot_choices_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_ballot_choices_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "proposal_id", name=op.f("pk_ballot_choices")),
    )
    with op.batch_alter_table("ballot_choices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ballot_choices_proposal_id"), ["proposal_id"], unique=False
        )
    if rows:
        bind.execute(sa.insert(choices), rows)
