"""The files operators and packagers look for: licence, lock, settings example, image, compose."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "channels", "scheduling", "scoring")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    found = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\$", text, flags=re.M))
    assert text.count("==") == len(found) and "--hash=sha256:" in text
    return found


def name_of(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_licence_and_metadata() -> None:
    project = pyproject()["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert {"Homepage", "Source", "Issues"} <= set(project["urls"])
    assert "Typing :: Typed" in project["classifiers"]
    for package in PACKAGES:
        assert (ROOT / package / "py.typed").exists()
        assert "py.typed" in pyproject()["tool"]["setuptools"]["package-data"][package]


def test_locks_pin_every_dependency_with_hashes() -> None:
    """Fails when pyproject.toml gained a dependency and `make lock` was not run."""
    project = pyproject()["project"]
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name_of(r) for r in project["dependencies"]} <= set(runtime)
    assert {name_of(r) for r in project["optional-dependencies"]["dev"]} <= set(dev)
    assert "setuptools" in runtime  # the build backend, for --no-build-isolation
    assert all(dev[name] == version for name, version in runtime.items() if name in dev)
    for lock in ("requirements.lock", "requirements-dev.lock"):
        header = (ROOT / lock).read_text()
        assert "--index-url" not in header and "--find-links" not in header.split("\n#\n")[1]


def test_env_example_lists_every_setting_and_loads_as_the_defaults() -> None:
    example = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert aliases <= named, aliases - named
    lines = example.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^#? ?[A-Z][A-Z0-9_]+=", line):
            above = [text for text in lines[:index] if text.strip()]
            assert above and above[-1].startswith("#"), f"{line} has no comment"
    from_example = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert from_example.model_dump() == defaults.model_dump()


def test_make_clean_never_touches_a_database() -> None:
    commands = subprocess.run(
        ["make", "-n", "clean"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert commands and ".db" not in commands and "sqlite" not in commands


def test_dockerfile_caches_dependencies_and_runs_as_a_numeric_user() -> None:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    steps = [" ".join(line.split()) for line in text.splitlines() if line and line[0] != "#"]
    lock = next(i for i, step in enumerate(steps) if step.startswith("COPY requirements.lock"))
    code = next(i for i, step in enumerate(steps) if step.startswith("COPY bot"))
    install = next(i for i, step in enumerate(steps) if "--require-hashes" in step)
    assert lock < install < code
    health = next(step for step in steps if step.startswith("HEALTHCHECK "))
    assert "/readyz" in health  # readiness: a bot whose database is gone is unhealthy
    user = next(step for step in steps if step.startswith("USER "))
    assert re.fullmatch(r"USER \d+:\d+", user) and not user.startswith("USER 0")
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".git", ".venv", ".env", "*.db", "__pycache__", ".pytest_cache"} <= set(ignored)


def test_compose_runs_postgres_16_then_migrations_then_the_bot() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    db, migrate, bot = services["db"], services["migrate"], services["bot"]
    assert db["image"] == "postgres:16" and "healthcheck" in db
    assert any(volume.startswith("pgdata:") for volume in db["volumes"])
    assert "pgdata" in compose["volumes"]
    assert migrate["command"] == ["npsbot", "db", "upgrade"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "/readyz" in " ".join(bot["healthcheck"]["test"]) and bot["restart"] == "unless-stopped"
    url = bot["environment"]["NPSBOT_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url
