"""movers: mover alerts and a follow-up that remembers, per workspace; the previous score;
"you said, we did" announcements and their deliveries

Revision ID: 0006_movers
Revises: 0006_webhooks
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from bot.models import UTCDateTime


revision: str = '0006_movers'
down_revision: str | None = '0006_webhooks'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('mover_alerts', sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column('mover_points', sa.Integer(), nullable=False, server_default='3')
        )
        batch_op.add_column(
            sa.Column('followup_remember', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_score', sa.Integer(), nullable=True))
    op.create_table(
        'announcement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('phrase', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_announcement_workspace_id'), 'announcement', ['workspace_id'], unique=False
    )
    op.create_table(
        'announcementdelivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('respondent_id', sa.Integer(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('due_at', UTCDateTime(), nullable=True),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id']),
        sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id']),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('announcement_id', 'respondent_id'),
    )
    for column in ('announcement_id', 'workspace_id', 'respondent_id', 'status', 'due_at', 'sent_at'):
        op.create_index(
            op.f(f'ix_announcementdelivery_{column}'),
            'announcementdelivery',
            [column],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table('announcementdelivery')
    op.drop_table('announcement')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('previous_score')
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('followup_remember')
        batch_op.drop_column('mover_points')
        batch_op.drop_column('mover_alerts')
