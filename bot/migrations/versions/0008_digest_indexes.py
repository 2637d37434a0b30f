"""digest indexes: answers and invitations by workspace and time, covering the week counts

`ix_response_workspace_time` (workspace, answered_at, score, polarity) replaces
`ix_response_workspace_id`, which it leads with: the digest's trend, the Home report's weeks
and a week's sentiment count from the index alone, not from a million rows scattered over
the table. `ix_invitation_workspace_time` (workspace, sent_at, id) likewise replaces
`ix_invitation_workspace_id` for the week's deliveries (with the id, PostgreSQL too finds
their answers from the index alone).

Revision ID: 0008_digest_indexes
Revises: 0007_reconcile
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008_digest_indexes'
down_revision: str | None = '0007_reconcile'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_response_workspace_time',
        'response',
        ['workspace_id', 'answered_at', 'score', 'polarity'],
    )
    op.drop_index('ix_response_workspace_id', table_name='response')
    op.create_index(
        'ix_invitation_workspace_time', 'invitation', ['workspace_id', 'sent_at', 'id']
    )
    op.drop_index('ix_invitation_workspace_id', table_name='invitation')


def downgrade() -> None:
    op.create_index('ix_invitation_workspace_id', 'invitation', ['workspace_id'])
    op.drop_index('ix_invitation_workspace_time', table_name='invitation')
    op.create_index('ix_response_workspace_id', 'response', ['workspace_id'])
    op.drop_index('ix_response_workspace_time', table_name='response')
