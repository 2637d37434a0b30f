"""loop: a reply to a "you said, we did" announcement opens a case

`announcementdelivery.response_id` is the answer whose comment matched the announcement's
phrase (the case a reply opens hangs off it); `alertcase.announcement_id` marks a case a
reply to that announcement opened, not a detractor's alert.

Revision ID: 0007_loop
Revises: 0006_cases
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_loop'
down_revision: str | None = '0006_cases'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('announcementdelivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_announcementdelivery_response_id', 'response', ['response_id'], ['id']
        )
    with op.batch_alter_table('alertcase', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_alertcase_announcement_id', 'announcement', ['announcement_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('alertcase', schema=None) as batch_op:
        batch_op.drop_constraint('fk_alertcase_announcement_id', type_='foreignkey')
        batch_op.drop_column('announcement_id')
    with op.batch_alter_table('announcementdelivery', schema=None) as batch_op:
        batch_op.drop_constraint('fk_announcementdelivery_response_id', type_='foreignkey')
        batch_op.drop_column('response_id')
