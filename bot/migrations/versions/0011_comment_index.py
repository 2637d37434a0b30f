"""comment index: a week's commented answers by workspace and time, a partial index

The digest's themes read the week's comments: about half its answers. Through the answers'
time index each of the week's rows was fetched to learn whether it had a comment (at a
million answers, 19,321 rows fetched for 9,657 comments, scattered over the table); this
index holds only the answers with one, in the order the themes read them.

Revision ID: 0011_comment_index
Revises: 0010_week_counts
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_comment_index'
down_revision: str | None = '0010_week_counts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMENTED = sa.text('comment IS NOT NULL')


def upgrade() -> None:
    op.create_index(
        'ix_response_comment_time',
        'response',
        ['workspace_id', 'answered_at', 'id'],
        postgresql_where=COMMENTED,
        sqlite_where=COMMENTED,
    )


def downgrade() -> None:
    op.drop_index('ix_response_comment_time', table_name='response')
