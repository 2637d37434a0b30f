"""response terms: each comment's theme terms, found once when it is stored

The digest counted themes by tokenising every comment of the week on each build (at a
million answers, 9,657 comments: more CPU than all its queries). Stored beside the comment
as its polarity is, they are read instead. Existing comments are filled here, a batch of
rows at a time, so memory stays bounded however many there are.

Revision ID: 0009_comment_terms
Revises: 0008_digest_indexes
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from scoring.terms import stored_terms

revision: str = '0009_comment_terms'
down_revision: str | None = '0008_digest_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    backfill(op.get_bind())


def backfill(connection: sa.Connection, *, batch: int = BATCH) -> int:
    """Terms for every comment without them, in id order, `batch` rows at a time."""
    response = sa.table(
        'response',
        sa.column('id', sa.Integer),
        sa.column('comment', sa.String),
        sa.column('language', sa.String),
        sa.column('terms', sa.String),
    )
    pending = (
        sa.select(response.c.id, response.c.comment, response.c.language)
        .where(
            response.c.comment.is_not(None),
            response.c.terms.is_(None),
            response.c.id > sa.bindparam('after'),
        )
        .order_by(response.c.id)
        .limit(batch)
    )
    update = (
        sa.update(response)
        .where(response.c.id == sa.bindparam('row_id'))
        .values(terms=sa.bindparam('found'))
    )
    after, filled = 0, 0
    while rows := connection.execute(pending, {'after': after}).all():
        connection.execute(
            update,
            [
                {'row_id': row_id, 'found': stored_terms(comment, language=language)}
                for row_id, comment, language in rows
            ],
        )
        after, filled = rows[-1][0], filled + len(rows)
    return filled


def downgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('terms')
