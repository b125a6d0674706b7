"""The package's shape, read from the source (ast): stages import one way, and nothing imports in a circle."""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "osce_scrape"
# What each stage package may not import (ARCHITECTURE.md): parse is pure, dataset and harvest are
# independent stages, only the CLI composes them and only it starts the mirror.
FORBIDDEN = {
    "parse": {"harvest", "dataset", "cli", "mirror"},
    "dataset": {"harvest", "cli", "mirror"},
    "harvest": {"dataset", "cli", "mirror"},
}
ONLY_CLI_IMPORTS = {"cli", "mirror"}  # besides themselves
MAX_TOP_LEVEL_MODULES = 8


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every osce_scrape module `path` imports, anywhere in it (functions and TYPE_CHECKING blocks too);
    `from pkg import sub` counts as importing the module pkg.sub when there is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {module for module in found if module in modules}


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_stage_packages_import_one_way() -> None:
    """parse uses nothing of harvest, dataset, cli, mirror; dataset nothing of harvest, cli, mirror;
    harvest nothing of dataset, cli, mirror."""
    broken = [
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in sorted(targets)
        if stage(target) in FORBIDDEN.get(stage(module), set())
    ]
    assert broken == []


def test_only_the_cli_imports_the_cli_and_the_mirror() -> None:
    """The mirror is a stand-in of the site that nothing in the pipeline knows of; the CLI is the top."""
    broken = [
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in sorted(targets)
        if stage(target) in ONLY_CLI_IMPORTS and stage(module) not in ("cli", stage(target))
    ]
    assert broken == []


def test_no_import_circles() -> None:
    """No module reaches itself through its imports (TYPE_CHECKING and function-level ones included)."""
    edges = graph()
    circles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                circles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_few_modules_stay_at_the_top_level() -> None:
    """The stages are packages; the top level keeps the contract (errors, models) and a few helpers."""
    top = sorted(path.stem for path in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
    assert {"__init__", "errors", "models"} <= set(top)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from osce_scrape.harvest import fetch\n", {"osce_scrape.harvest.fetch"}),
        ("from osce_scrape.harvest.fetch import Fetcher\n", {"osce_scrape.harvest.fetch"}),
        ("from . import fetch\n", {"osce_scrape.harvest.fetch"}),
        ("from ..dataset import card\n", {"osce_scrape.dataset.card"}),
        ("if TYPE_CHECKING:\n    import osce_scrape.cli.main\n", {"osce_scrape.cli.main"}),
        ("def f():\n    from osce_scrape.mirror import MirrorSite\n", {"osce_scrape.mirror"}),
    ],
)
def test_the_checker_sees_every_form_of_import(tmp_path: Path, source: str, expected: set[str]) -> None:
    """Absolute, relative, TYPE_CHECKING and function-level imports all count."""
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    assert imports_of("osce_scrape.harvest.probe", path, all_modules()) == expected


def test_every_data_file_of_the_package_ships_in_the_wheel() -> None:
    """Each non-Python file under src/osce_scrape (the mirror's pages, taxonomies, listing items) matches
    a package-data pattern of pyproject.toml, so `pip install` + `osce-scrape demo` serves what the
    checkout serves."""
    config = tomllib.loads((SRC.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["osce_scrape"]
    data_files = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert len([name for name in data_files if name.startswith("mirror/pages/")]) >= 100
    assert [name for name in data_files if not any(fnmatch.fnmatch(name, p) for p in patterns)] == []
