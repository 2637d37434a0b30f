"""job: durable work (inbound events, an answer's effects), retried with back-off

Revision ID: 0004_jobs
Revises: 0003_workspace_problems
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.models

revision: str = '0004_jobs'
down_revision: str | None = '0003_workspace_problems'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('lane', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('run_after', bot.models.UTCDateTime(), nullable=False),
        sa.Column('locked_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('locked_until', bot.models.UTCDateTime(), nullable=True),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('dead', sa.Boolean(), nullable=False),
        sa.Column('created_at', bot.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_lane'), ['lane'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_run_after'), ['run_after'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_after'))
        batch_op.drop_index(batch_op.f('ix_job_lane'))
    op.drop_table('job')
