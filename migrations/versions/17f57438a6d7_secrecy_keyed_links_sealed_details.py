"""secrecy: keyed voter links and roll marks, sealed voter details, figures at close

Revision ID: 17f57438a6d7
Revises: 15b0c3e1f2a4
Create Date: 2026-12-03 13:07:19.818214

Links and marks name the voter by a digest keyed with the vote key, which only the app holds:
the rows already there are converted here, with the app's key (``flask db upgrade`` runs inside
the app), so ``--sql`` (offline) mode cannot run this step. Voter details leave the ballots:
those of consultations no longer voting become the figures the participation page reads;
ballots of a vote still open cannot hold them in the clear any longer, and the migration cannot
seal them without a ballot-by-ballot rewrite, so it refuses while such a vote holds any (close
it, or upgrade between votes). Afterwards the old ids still sit in the database's files (dead
rows, WAL): the README's upgrade note says to VACUUM FULL and CHECKPOINT.
"""

import sqlalchemy as sa
from alembic import context, op

# revision identifiers, used by Alembic.
revision = "17f57438a6d7"
down_revision = "15b0c3e1f2a4"
branch_labels = None
depends_on = None

CHANNEL = sa.Enum("online", "code", "paper", name="channel", native_enum=False, length=20)

_FIGURES_OF_DETAILS = [
    ("gender", "COALESCE(b.gender, '')"),
    ("age", "COALESCE(b.age_group, '')"),
    ("village", "COALESCE(CAST(b.village_id AS VARCHAR(20)), '')"),
    ("channel", "b.channel"),
]
_CHOICE_FIGURES_OF_DETAILS = [
    ("gender", "COALESCE(b.gender, '')"),
    ("age", "COALESCE(b.age_group, '')"),
]


def _create_figures() -> None:
    op.create_table(
        "voter_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=20), nullable=False),
        sa.Column("ballots", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_voter_figures_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_figures")),
        sa.UniqueConstraint(
            "consultation_id",
            "dimension",
            "value",
            name=op.f("uq_voter_figures_consultation_id_dimension_value"),
        ),
    )
    op.create_table(
        "choice_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=20), nullable=False),
        sa.Column("ballots", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_choice_figures_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_choice_figures_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_choice_figures")),
        sa.UniqueConstraint(
            "consultation_id",
            "proposal_id",
            "dimension",
            "value",
            name=op.f("uq_choice_figures_consultation_id_proposal_id_dimension_value"),
        ),
    )
    with op.batch_alter_table("choice_figures", schema=None) as batch_op:
        batch_op.create_index("ix_choice_figures_proposal_id", ["proposal_id"], unique=False)


def _refuse_open_votes_with_details(bind: sa.engine.Connection) -> None:
    open_with_details = bind.scalar(
        sa.text(
            "SELECT COUNT(*) FROM ballots b JOIN consultations c ON c.id = b.consultation_id "
            "WHERE c.phase = 'voting' AND (b.gender IS NOT NULL OR b.age_group IS NOT NULL "
            "OR b.village_id IS NOT NULL)"
        )
    )
    if open_with_details:
        raise RuntimeError(
            "A consultation is voting and its ballots carry voter details in the clear, which "
            "this version seals: close that vote, or upgrade between votes."
        )


def _details_into_figures(bind: sa.engine.Connection) -> None:
    for dimension, value in _FIGURES_OF_DETAILS:
        bind.execute(
            sa.text(
                "INSERT INTO voter_figures (consultation_id, dimension, value, ballots) "
                f"SELECT b.consultation_id, '{dimension}', {value}, COUNT(*) "
                "FROM ballots b JOIN consultations c ON c.id = b.consultation_id "
                f"WHERE c.phase <> 'voting' GROUP BY b.consultation_id, {value}"
            )
        )
    for dimension, value in _CHOICE_FIGURES_OF_DETAILS:
        bind.execute(
            sa.text(
                "INSERT INTO choice_figures "
                "(consultation_id, proposal_id, dimension, value, ballots, points) "
                f"SELECT b.consultation_id, bc.proposal_id, '{dimension}', {value}, COUNT(*), "
                "SUM(bc.points) FROM ballots b "
                "JOIN ballot_choices bc ON bc.ballot_id = b.id "
                "JOIN consultations c ON c.id = b.consultation_id "
                f"WHERE c.phase <> 'voting' GROUP BY b.consultation_id, bc.proposal_id, {value}"
            )
        )


def _keyed_links_and_marks(bind: sa.engine.Connection) -> tuple[list[dict], list[dict]]:
    """The links and marks there are, with their voters as keyed digests (pb.voting.voters)."""
    from pb import keys  # the app's vote key: flask db upgrade runs inside the app

    links = [
        {
            "id": row.id,
            "consultation_id": row.consultation_id,
            "voter_digest": keys.digest(
                "voter",
                f"{row.consultation_id}:account:{row.user_id}"
                if row.user_id is not None
                else f"{row.consultation_id}:code:{row.code_digest}",
            ),
            "ballot_id": row.ballot_id,
            "receipt_digest": row.receipt_digest,
        }
        for row in bind.execute(
            sa.text(
                "SELECT l.id, l.consultation_id, l.user_id, c.digest AS code_digest, "
                "l.ballot_id, l.receipt_digest FROM voter_links l "
                "LEFT JOIN voting_codes c ON c.id = l.code_id"
            )
        )
    ]
    marks = [
        {
            "consultation_id": row.consultation_id,
            "entry_digest": keys.digest("roll entry", f"{row.consultation_id}:{row.roll_entry_id}"),
            "channel": row.channel,
        }
        for row in bind.execute(
            sa.text("SELECT consultation_id, roll_entry_id, channel FROM roll_marks")
        )
    ]
    return links, marks


def upgrade():
    if context.is_offline_mode():
        raise RuntimeError("this migration converts rows with the app's vote key: run it online")
    bind = op.get_bind()
    _refuse_open_votes_with_details(bind)  # before anything is written
    _create_figures()
    _details_into_figures(bind)
    links, marks = _keyed_links_and_marks(bind)

    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_details", sa.LargeBinary(), nullable=True))
        batch_op.drop_constraint(batch_op.f("fk_ballots_village_id_villages"), type_="foreignkey")
        batch_op.drop_column("age_group")
        batch_op.drop_column("gender")
        batch_op.drop_column("village_id")

    # The two tables are made again rather than altered: their keys change, and the rows are
    # few (one per voter of the votes open, one per person marked).
    op.drop_table("voter_links")
    voter_links = op.create_table(
        "voter_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("voter_digest", sa.String(length=64), nullable=False),
        sa.Column("ballot_id", sa.String(length=32), nullable=False),
        sa.Column("receipt_digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_voter_links_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_voter_links_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_links")),
        sa.UniqueConstraint("ballot_id", name=op.f("uq_voter_links_ballot_id")),
        sa.UniqueConstraint(
            "consultation_id",
            "voter_digest",
            name=op.f("uq_voter_links_consultation_id_voter_digest"),
        ),
    )
    op.drop_table("roll_marks")
    roll_marks = op.create_table(
        "roll_marks",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("entry_digest", sa.String(length=64), nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_roll_marks_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", "entry_digest", name=op.f("pk_roll_marks")),
    )
    if links:
        op.bulk_insert(voter_links, links)
        if bind.dialect.name == "postgresql":
            bind.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('voter_links', 'id'), "
                    "(SELECT MAX(id) FROM voter_links))"
                )
            )
    if marks:
        op.bulk_insert(roll_marks, marks)


def downgrade():
    raise RuntimeError(
        "Voter links and roll marks now name voters by keyed digests, and voter details are "
        "sealed or counted: the ids and details they held cannot be brought back. Restore a "
        "backup taken before the upgrade instead."
    )
