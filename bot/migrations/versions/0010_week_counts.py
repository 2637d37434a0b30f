"""week counts: the weekly counts of ended weeks, dropped by triggers when they change

The digest's trend counted twelve weeks of answers and deliveries on every build, eleven of
them weeks that have ended. Their counts are kept in `weekcount` (filled by the digest),
and triggers on `response` and `invitation` delete a workspace's rows for every week a row
is written into, moved out of or deleted from, in the writer's own transaction. Scores and
times change through imports, re-scoring, reconciliation and deletes alike: the triggers
see them all, and any path added later, so the table is never stale.

On PostgreSQL the triggers also take a shared advisory lock (`FILL_LOCK`) that the digest
takes exclusively, with a try, while it fills the table in a short transaction of its own:
a writer whose transaction has not committed when the digest counts would otherwise delete
nothing (the rows are not there yet) and leave the count it missed. SQLite has one writer
at a time, and the fill is one INSERT ... SELECT, so it always counts every committed row.

Revision ID: 0010_week_counts
Revises: 0009_comment_terms
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.columns import UTCDateTime

revision: str = '0010_week_counts'
down_revision: str | None = '0009_comment_terms'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL_LOCK = 0x6E707362  # "npsb"; bot.store.ended_weeks takes it to fill the table
WATCHED = {
    # table: (its time column, the columns that move a row between weeks or categories)
    'response': ('answered_at', 'workspace_id, answered_at, score'),
    'invitation': ('sent_at', 'workspace_id, sent_at'),
}


def _forget(row: str, at: str) -> str:
    return (
        f'DELETE FROM weekcount WHERE workspace_id = {row}.workspace_id'
        f' AND start_at <= {row}.{at} AND end_at > {row}.{at};'
    )


def upgrade() -> None:
    op.create_table(
        'weekcount',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('start_at', UTCDateTime(), nullable=False),
        sa.Column('end_at', UTCDateTime(), nullable=False),
        sa.Column('promoters', sa.Integer(), nullable=False),
        sa.Column('passives', sa.Integer(), nullable=False),
        sa.Column('detractors', sa.Integer(), nullable=False),
        sa.Column('delivered', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('workspace_id', 'start_at', 'end_at'),
    )
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table, (at, moving) in WATCHED.items():
        if postgres:
            op.execute(
                f'CREATE FUNCTION weekcount_forget_{table}() RETURNS trigger'
                f' LANGUAGE plpgsql AS $$ BEGIN'
                f' PERFORM pg_advisory_xact_lock_shared({FILL_LOCK});'
                f" IF TG_OP <> 'INSERT' THEN {_forget('OLD', at)} END IF;"
                f" IF TG_OP <> 'DELETE' THEN {_forget('NEW', at)} END IF;"
                f' RETURN NULL; END $$'
            )
            op.execute(
                f'CREATE TRIGGER weekcount_{table} AFTER INSERT OR DELETE OR UPDATE OF'
                f' {moving} ON {table} FOR EACH ROW EXECUTE FUNCTION weekcount_forget_{table}()'
            )
            continue
        for event, rows in (('INSERT', ('NEW',)), ('DELETE', ('OLD',)), (f'UPDATE OF {moving}', ('OLD', 'NEW'))):
            name = f"weekcount_{table}_{event.split()[0].lower()}"
            forget = ' '.join(_forget(row, at) for row in rows)
            op.execute(f'CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {forget} END')


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table in WATCHED:
        if postgres:
            op.execute(f'DROP TRIGGER weekcount_{table} ON {table}')
            op.execute(f'DROP FUNCTION weekcount_forget_{table}()')
            continue
        for event in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER weekcount_{table}_{event}')
    op.drop_table('weekcount')
