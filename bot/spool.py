"""The local spool: where an inbound event waits, durably, while the database is away.

A SQLite file in `NPSBOT_SPOOL_DIR` (one per process, so replicas never share one), written
with `synchronous=FULL`: once `append` returns the entry survives a SIGKILL or a power cut,
and only then does the platform get its acknowledgement. Entries keep arrival order and are
moved into the database, oldest first, when it answers again.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT UNIQUE,
    kind TEXT NOT NULL,
    lane TEXT,
    payload TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    key: str | None
    kind: str
    lane: str | None
    payload: dict[str, Any]


class Spool:
    """An fsync'd, ordered, deduplicated local queue of inbound work."""

    def __init__(self, directory: Path, *, name: str = "inbound") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}.sqlite3"
        self.directory = directory
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="spool")
        self._lock = threading.Lock()
        self._connection = _connect(self.path)
        self._count = 0

    async def _off_loop(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    @property
    def empty(self) -> bool:
        """No entry waiting in this process's spool (cheap: a counter, no I/O)."""
        return self._count == 0

    async def append(
        self, *, key: str | None, kind: str, lane: str | None, payload: dict[str, Any]
    ) -> bool:
        """Write an entry durably; False when its key is already spooled (a retry)."""
        return bool(await self._off_loop(self._append, key, kind, lane, json.dumps(payload)))

    def _append(self, key: str | None, kind: str, lane: str | None, payload: str) -> bool:
        with self._lock:
            connection = self._connection
            try:
                connection.execute(
                    "INSERT INTO entry (key, kind, lane, payload) VALUES (?, ?, ?, ?)",
                    (key, kind, lane, payload),
                )
            except sqlite3.IntegrityError:
                return False
            self._count += 1
            return True

    async def oldest(self, *, limit: int = 100) -> list[Entry]:
        """The entries waiting longest, in arrival order."""
        return list(await self._off_loop(self._oldest, limit))

    def _oldest(self, limit: int) -> list[Entry]:
        with self._lock:
            connection = self._connection
            rows = connection.execute(
                "SELECT seq, key, kind, lane, payload FROM entry ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [
            Entry(seq, key, kind, lane, json.loads(payload))
            for seq, key, kind, lane, payload in rows
        ]

    async def remove(self, seqs: list[int]) -> None:
        """Drop entries now held by the database."""
        await self._off_loop(self._remove, seqs)

    def _remove(self, seqs: list[int]) -> None:
        with self._lock:
            connection = self._connection
            connection.executemany("DELETE FROM entry WHERE seq = ?", [(seq,) for seq in seqs])
            (left,) = connection.execute("SELECT count(*) FROM entry").fetchone()
            self._count = int(left)

    def adopt_orphans(self) -> int:
        """Fold spools left by processes that are gone into ours, keeping their order."""
        moved = 0
        for path in sorted(self.directory.glob("inbound-*.sqlite3")):
            if path == self.path or _alive(path):
                continue
            theirs = _connect(path)
            with self._lock:
                for key, kind, lane, payload in theirs.execute(
                    "SELECT key, kind, lane, payload FROM entry ORDER BY seq"
                ):
                    self._connection.execute(
                        "INSERT OR IGNORE INTO entry (key, kind, lane, payload)"
                        " VALUES (?, ?, ?, ?)",
                        (key, kind, lane, payload),
                    )
                    moved += 1
            theirs.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        (self._count,) = self._connection.execute("SELECT count(*) FROM entry").fetchone()
        return moved

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self._connection.close()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(SCHEMA)
    return connection


def _alive(path: Path) -> bool:
    pid = int(path.stem.split("-")[1])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
