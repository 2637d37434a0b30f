"""invitation reconcile_at: when an uncertain send is next checked against the chat's history

Revision ID: 0007_reconcile
Revises: 0007_loop
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = '0007_reconcile'
down_revision: str | None = '0007_loop'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reconcile_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('reconcile_at')
