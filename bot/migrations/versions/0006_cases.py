"""cases: the follow-up of each alerted answer, and its conversation

The claim and the one reply that lived on `response` (owner, reply_text, replied_by,
replied_at) move to `alertcase` and `casemessage`; every posted alert becomes a case.

Revision ID: 0006_cases
Revises: 0006_movers
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from bot.models import UTCDateTime

revision: str = '0006_cases'
down_revision: str | None = '0006_movers'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVED = ('owner', 'reply_text', 'replied_by', 'replied_at')


def upgrade() -> None:
    op.create_table(
        'alertcase',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('respondent_id', sa.Integer(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('opened_at', UTCDateTime(), nullable=False),
        sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('claimed_at', UTCDateTime(), nullable=True),
        sa.Column('first_reply_at', UTCDateTime(), nullable=True),
        sa.Column('last_reply_at', UTCDateTime(), nullable=True),
        sa.Column('reminded_at', UTCDateTime(), nullable=True),
        sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('resolved_at', UTCDateTime(), nullable=True),
        sa.Column('resolution_note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id']),
        sa.ForeignKeyConstraint(['response_id'], ['response.id']),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('response_id'),
    )
    op.create_index(
        op.f('ix_alertcase_workspace_id'), 'alertcase', ['workspace_id'], unique=False
    )
    op.create_index(
        op.f('ix_alertcase_respondent_id'), 'alertcase', ['respondent_id'], unique=False
    )
    op.create_index(
        'ix_alertcase_state_opened_at', 'alertcase', ['state', 'opened_at'], unique=False
    )
    op.create_table(
        'casemessage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('from_team', sa.Boolean(), nullable=False),
        sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('chat_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('message_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['alertcase.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_casemessage_case_id'), 'casemessage', ['case_id'], unique=False)
    op.create_index(op.f('ix_casemessage_at'), 'casemessage', ['at'], unique=False)
    op.create_index(
        'ix_casemessage_chat_ref_message_ref',
        'casemessage',
        ['chat_ref', 'message_ref'],
        unique=False,
    )
    # Every posted alert becomes a case in the state its columns tell; a reply becomes the
    # first turn of its conversation. Claims kept no time: the answer's stands in for it.
    op.execute(
        """
        INSERT INTO alertcase (response_id, workspace_id, respondent_id, state, opened_at,
                               claimed_by, claimed_at, first_reply_at, last_reply_at)
        SELECT id, workspace_id, respondent_id,
               CASE WHEN replied_at IS NOT NULL THEN 'replied'
                    WHEN owner IS NOT NULL THEN 'claimed' ELSE 'open' END,
               COALESCE(answered_at, commented_at, replied_at, CURRENT_TIMESTAMP),
               owner, CASE WHEN owner IS NOT NULL THEN COALESCE(replied_at, answered_at) END,
               replied_at, replied_at
        FROM response WHERE alert_ref IS NOT NULL
        """
    )
    op.execute(
        """
        INSERT INTO casemessage (case_id, from_team, author, text, at)
        SELECT alertcase.id, true, response.replied_by, response.reply_text, response.replied_at
        FROM response JOIN alertcase ON alertcase.response_id = response.id
        WHERE response.replied_at IS NOT NULL
        """
    )
    with op.batch_alter_table('response') as batch:
        for name in MOVED:
            batch.drop_column(name)


def downgrade() -> None:
    with op.batch_alter_table('response') as batch:
        batch.add_column(
            sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch.add_column(sa.Column('reply_text', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(
            sa.Column('replied_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch.add_column(sa.Column('replied_at', UTCDateTime(), nullable=True))
    # The latest team turn is what the single reply columns can hold.
    op.execute(
        """
        UPDATE response SET
          owner = (SELECT claimed_by FROM alertcase WHERE alertcase.response_id = response.id),
          replied_at = (SELECT first_reply_at FROM alertcase
                        WHERE alertcase.response_id = response.id),
          reply_text = (SELECT m.text FROM casemessage m JOIN alertcase c ON c.id = m.case_id
                        WHERE c.response_id = response.id AND m.from_team
                        ORDER BY m.at DESC, m.id DESC LIMIT 1),
          replied_by = (SELECT m.author FROM casemessage m JOIN alertcase c ON c.id = m.case_id
                        WHERE c.response_id = response.id AND m.from_team
                        ORDER BY m.at DESC, m.id DESC LIMIT 1)
        """
    )
    op.drop_index('ix_casemessage_chat_ref_message_ref', table_name='casemessage')
    op.drop_index(op.f('ix_casemessage_at'), table_name='casemessage')
    op.drop_index(op.f('ix_casemessage_case_id'), table_name='casemessage')
    op.drop_table('casemessage')
    op.drop_index('ix_alertcase_state_opened_at', table_name='alertcase')
    op.drop_index(op.f('ix_alertcase_respondent_id'), table_name='alertcase')
    op.drop_index(op.f('ix_alertcase_workspace_id'), table_name='alertcase')
    op.drop_table('alertcase')
