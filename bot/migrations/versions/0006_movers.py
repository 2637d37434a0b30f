"""movers: mover alerts and a follow-up that remembers, per workspace; the previous score

Revision ID: 0006_movers
Revises: 0006_digest12
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006_movers'
down_revision: str | None = '0006_digest12'
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


def downgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('previous_score')
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('followup_remember')
        batch_op.drop_column('mover_points')
        batch_op.drop_column('mover_alerts')
