"""`npsbot run` as a real process: its environment, its output line by line, its exit."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

NPSBOT = Path(sys.executable).with_name("npsbot")
OWN_PREFIXES = ("SLACK_", "TELEGRAM_", "NPSBOT_")


def environment(**settings: object) -> dict[str, str]:
    """This process's environment without any npsbot setting, plus `settings`.

    The models are not preloaded nor the digest worker started (a second of CPU, and a
    process of two more) unless a test asks: these processes are about signals, crashes and
    output, and a comment loads the models on its own, a digest starts the worker."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)}
    env["NPSBOT_HTTP_PORT"] = "0"
    env["NPSBOT_PRELOAD_MODELS"] = "false"
    env.update({name: str(value) for name, value in settings.items()})
    return env


class Npsbot:
    """A running `npsbot run`; stdout and stderr are read into `lines` as they arrive."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._readers = [
            asyncio.create_task(self._read(stream))
            for stream in (process.stdout, process.stderr)
            if stream is not None
        ]

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path) -> Npsbot:
        process = await asyncio.create_subprocess_exec(
            str(NPSBOT),
            "run",
            cwd=cwd,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while raw := await stream.readline():
            async with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """The first output line matching `pattern`; fails if the process exits first."""
        regex = re.compile(pattern)
        async with asyncio.timeout(timeout), self._changed:
            while True:
                for line in self.lines:
                    if match := regex.search(line):
                        return match
                if all(reader.done() for reader in self._readers):
                    raise AssertionError(f"exited without {pattern!r}:\n{self.output}")
                await self._changed.wait()

    async def url(self) -> str:
        return (await self.wait_for(r"listening on (http://[^\s,]+)"))[1]

    async def exit_code(self, timeout: float = 30) -> int:
        async with asyncio.timeout(timeout):
            code = await self.process.wait()
            await asyncio.gather(*self._readers)
        return code

    async def kill(self) -> None:
        """SIGKILL if still running, and reap it."""
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        await asyncio.gather(*self._readers)


async def run_to_exit(env: dict[str, str], cwd: Path, timeout: float = 30) -> tuple[int, str]:
    bot = await Npsbot.start(env, cwd)
    try:
        return await bot.exit_code(timeout), bot.output
    finally:
        await bot.kill()
