"""The layout's rules, read from the sources: who may import whom.

The core stays platform-free (only `channels/` imports a chat SDK); `scoring/` is pure;
`bot/` reaches `scheduling/` and `channels/` only from the wiring; APScheduler stays inside
`scheduling/`; the Channel port lives in `bot/`; nothing that runs imports `tests/`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("bot", "scheduling", "scoring")
RUNTIME = (*CORE, "channels", "bench")
OURS = (*RUNTIME, "tests")
SDKS = ("slack_bolt", "slack_sdk", "telegram")
WIRING = {"bot/app.py", "bot/cli.py", "bot/demo.py", "bot/demo_clicks.py"}
"""Modules that build the whole bot (the demo also drives the sandboxes), so they may reach
every package."""


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(path: Path) -> set[str]:
    """Every module `path` imports, dotted, lazy and TYPE_CHECKING imports included."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _sources(*packages: str) -> dict[str, set[str]]:
    """Each source file of `packages` (by its path from the root) and what it imports."""
    return {
        path.relative_to(ROOT).as_posix(): _modules(path)
        for package in packages
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _reaching(
    packages: tuple[str, ...], forbidden: tuple[str, ...], *, allowed: Collection[str] = ()
) -> dict[str, list[str]]:
    """The files of `packages` (other than `allowed`) importing anything under `forbidden`."""
    offenders: dict[str, list[str]] = {}
    for source, modules in _sources(*packages).items():
        hits = sorted(name for name in modules if name.split(".")[0] in forbidden)
        if hits and source not in allowed:
            offenders[source] = hits
    return offenders


def test_scoring_is_pure_and_imports_nothing_of_ours() -> None:
    others = tuple(package for package in OURS if package != "scoring")
    assert _reaching(("scoring",), others) == {}


def test_the_core_reaches_scheduling_and_channels_only_from_the_wiring() -> None:
    assert _reaching(("bot",), ("scheduling", "channels"), allowed=WIRING) == {}


def test_the_store_imports_no_scheduling() -> None:
    assert _reaching(("bot/store",), ("scheduling",)) == {}


def test_scheduling_uses_the_port_not_the_adapters() -> None:
    assert _reaching(("scheduling",), ("channels",)) == {}


def test_apscheduler_stays_inside_scheduling() -> None:
    others = tuple(package for package in RUNTIME if package != "scheduling")
    assert _reaching((*others, "tests"), ("apscheduler",)) == {}


def test_the_channel_port_lives_in_the_core() -> None:
    assert not (ROOT / "channels" / "base.py").exists()
    port = _modules(ROOT / "bot" / "channel.py")
    assert {name for name in port if name.split(".")[0] in OURS} <= {
        "bot.channel_errors",  # the port's exceptions, re-exported by bot.channel
        "bot.clock",
        "bot.events",
        "bot.home_view",
        "bot.i18n",
        "bot.settings",
        "scoring.digest",
    }
    for platform in ("slack", "telegram"):
        assert "bot.channel" in _modules(ROOT / "channels" / platform / "adapter.py")


def test_no_runtime_module_imports_tests() -> None:
    assert _reaching(RUNTIME, ("tests",)) == {}


def test_the_store_package_reexports_every_public_function_in_order() -> None:
    package = ROOT / "bot" / "store"
    public = {
        node.name
        for path in package.glob("*.py")
        if path.name != "__init__.py"
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
    }
    from bot import store

    assert store.__all__ == sorted(store.__all__)
    assert set(store.__all__) == public


DATA_LAYER = (
    "bot/store/",
    "bot/db.py",
    "bot/models.py",
    "bot/outreach_models.py",
    "bot/week_models.py",
    "bot/columns.py",
    "bot/migrations/",
)
TYPES_ONLY = {"Session", "Connection", "IntegrityError"}
"""What code outside the data layer may take from sqlmodel/sqlalchemy: types, no queries."""


def _query_building(path: Path) -> list[str]:
    """The sqlmodel/sqlalchemy names a file uses beyond a session's type."""
    orm = ("sqlalchemy", "sqlmodel")
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] in orm]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in orm:
            found += [f"{node.module}.{a.name}" for a in node.names if a.name not in TYPES_ONLY]
    return found


def test_only_the_data_layer_builds_queries() -> None:
    offenders = {
        source: names
        for package in ("bot", "channels", "scheduling", "scoring")
        for path in sorted((ROOT / package).rglob("*.py"))
        if not (source := path.relative_to(ROOT).as_posix()).startswith(DATA_LAYER)
        and (names := _query_building(path))
    }
    assert offenders == {}


MAX_LINES = 310
"""About 300 lines: one concept a module (a little slack so a docstring never breaks CI)."""
SIZE_EXEMPT = ("bot/app.py", "bot/cli.py", "bot/migrations/", "bot/store/__init__.py")
"""The bot's and the CLI's wiring may grow (STYLE.md); the store's index names each query
twice (its import and `__all__`) and holds no code."""


def test_no_runtime_module_is_over_about_300_lines() -> None:
    sizes = {
        source: len(path.read_text(encoding="utf-8").splitlines())
        for package in RUNTIME
        for path in sorted((ROOT / package).rglob("*.py"))
        if not (source := path.relative_to(ROOT).as_posix()).startswith(SIZE_EXEMPT)
    }
    assert {source: n for source, n in sizes.items() if n > MAX_LINES} == {}


def test_core_sources_do_not_import_sdks() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & set(SDKS))
        for package in CORE
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & set(SDKS)
    }
    assert offenders == {}


def test_importing_the_core_loads_no_sdk() -> None:
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in CORE
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and path.name != "__init__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SDKS!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
