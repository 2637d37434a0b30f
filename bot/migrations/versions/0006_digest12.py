"""imported responses: the source's response id, unique, so a re-import skips them

Revision ID: 0006_digest12
Revises: 0005_privacy
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006_digest12'
down_revision: str | None = '0005_privacy'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('response') as batch:
        batch.add_column(
            sa.Column('import_key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True)
        )
        batch.create_unique_constraint('uq_response_import_key', ['import_key'])


def downgrade() -> None:
    with op.batch_alter_table('response') as batch:
        batch.drop_constraint('uq_response_import_key', type_='unique')
        batch.drop_column('import_key')
