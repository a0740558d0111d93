"""The house shows its data flow: stage packages in one order, public names only across packages,
no import cycles, and a README that lists every package."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "aidctl"
# the order of the flow: a package may import only packages before it (core has no order within)
ORDER = ["core", "rulebook", "read", "ledger", "check", "pay", "report", ("enlist", "loans"), "oversight", "cli"]
RANK = {name: i for i, entry in enumerate(ORDER) for name in (entry if isinstance(entry, tuple) else (entry,))}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def imports(path: Path, top_level_only: bool = False):
    """(line, module imported from, names) of every `from aidctl… import …` (in functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("aidctl"):
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("aidctl"):
                    yield node.lineno, alias.name, []


MODULES = modules()


def test_every_stage_is_a_package_in_the_order():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages == set(RANK), "a package under aidctl/ is not in the flow's order (tests/test_layout.py)"


def test_a_package_imports_only_the_packages_before_it():
    wrong = []
    for module, path in MODULES.items():
        here = stage(module)
        if here is None:
            continue
        for line, target, _ in imports(path):
            there = stage(target)
            if there and there != here and RANK[there] >= RANK[here]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({here}) imports {target} ({there})")
    assert not wrong, "\n".join(wrong)


def test_other_packages_are_used_through_their_public_names():
    """Across packages: `from aidctl.<package> import <a name of its EXPORTS>`; core's modules are its
    public names. No private name (leading underscore) crosses a module boundary."""
    wrong = []
    for module, path in MODULES.items():
        here = stage(module)
        for line, target, names in imports(path):
            there = stage(target)
            where = f"{path.relative_to(ROOT)}:{line}"
            if any(n.startswith("_") and n != "__version__" for n in names):
                wrong.append(f"{where}: private name from {target}: {names}")
            if there in (None, "core", here) or here is None:
                continue
            package = importlib.import_module(f"aidctl.{there}")
            if target != f"aidctl.{there}":
                wrong.append(f"{where}: reaches into {target}; import from aidctl.{there}")
            elif any(n not in package.EXPORTS for n in names):
                wrong.append(f"{where}: {[n for n in names if n not in package.EXPORTS]} not public in aidctl.{there}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", [n for n in RANK if n not in ("core", "cli")])
def test_every_public_name_resolves_and_none_shadows_a_module(name):
    package = importlib.import_module(f"aidctl.{name}")
    submodules = {p.stem for p in (PACKAGE / name).glob("*.py")}
    for public in package.EXPORTS:
        assert public not in submodules, f"aidctl.{name}.{public} is both a public name and a module"
        assert getattr(package, public) is not None
    assert sorted(package.__all__) == sorted(package.EXPORTS)


def test_no_import_cycle_at_import_time():
    graph = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for _, target, names in imports(path, top_level_only=True):
            for candidate in [f"{target}.{n}" for n in names] + [target]:
                if candidate in graph and candidate != module:
                    graph[module].add(candidate)
                    break
    done, path = set(), []

    def visit(m):
        if m in path:
            raise AssertionError("import cycle: " + " → ".join(path[path.index(m):] + [m]))
        if m in done:
            return
        path.append(m)
        for n in sorted(graph[m]):
            visit(n)
        path.pop()
        done.add(m)

    for m in sorted(graph):
        visit(m)


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in MODULES.values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, long


def test_the_readme_layout_names_every_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("### Layout"):]
    layout = layout[:layout.index("\n## ")] if "\n## " in layout else layout
    folders = sorted(str(p.parent.relative_to(ROOT)) + "/" for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE)
    missing = [f for f in folders if f"`{f}`" not in layout]
    assert not missing, f"README's Layout section does not name {missing}"


def test_the_product_cites_no_document_it_does_not_ship():
    pattern = re.compile(r"POLICY\.md|DESIGN\.md|PERFORMANCE\.md|STYLE\.md|\.\./shared")
    shipped = [*PACKAGE.rglob("*.py"), *(ROOT / "rules").rglob("*.yaml"), ROOT / "README.md", ROOT / "CHANGELOG.md"]
    hits = [str(p.relative_to(ROOT)) for p in shipped if pattern.search(p.read_text(encoding="utf-8"))]
    assert not hits, hits
