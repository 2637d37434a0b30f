"""privacy: forgotten people (salted hashes), indexes for retention and stale profiles

Revision ID: 0005_privacy
Revises: 0005_comment_language
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from bot.models import UTCDateTime


revision: str = '0005_privacy'
down_revision: str | None = '0005_comment_language'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'forgottenperson',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('salt', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'digest'),
    )
    op.create_index(
        op.f('ix_forgottenperson_workspace_id'), 'forgottenperson', ['workspace_id'], unique=False
    )
    op.create_index(op.f('ix_auditentry_at'), 'auditentry', ['at'], unique=False)
    op.create_index(op.f('ix_response_commented_at'), 'response', ['commented_at'], unique=False)
    op.create_index(
        'ix_respondent_profile_refreshed_at_id',
        'respondent',
        ['profile_refreshed_at', 'id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_respondent_profile_refreshed_at_id', table_name='respondent')
    op.drop_index(op.f('ix_response_commented_at'), table_name='response')
    op.drop_index(op.f('ix_auditentry_at'), table_name='auditentry')
    op.drop_index(op.f('ix_forgottenperson_workspace_id'), table_name='forgottenperson')
    op.drop_table('forgottenperson')
