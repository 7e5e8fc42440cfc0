"""The import contract names every module, and observer's modules import in no circle."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path
from typing import Any

import grimp

import observer

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def all_modules() -> list[str]:
    root = Path(observer.__file__).parent
    found = pkgutil.walk_packages([str(root)], prefix="observer.")
    return sorted({"observer", *(info.name for info in found)})


def contracts() -> list[dict[str, Any]]:
    contracts: list[dict[str, Any]] = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"][
        "contracts"
    ]
    return contracts


def layered() -> set[str]:
    """Every module the layers contract names."""
    (layers,) = [c for c in contracts() if c["type"] == "layers"]
    return {part.strip() for layer in layers["layers"] for part in layer.split(":")}


def covered(module: str, names: set[str]) -> bool:
    """Named itself, inside a named package, or a package whose modules are named."""
    parts = module.split(".")
    inside = any(".".join(parts[:n]) in names for n in range(2, len(parts) + 1))
    return inside or any(name.startswith(module + ".") for name in names)


def test_every_module_is_in_a_layer() -> None:
    names = layered()
    missing = [m for m in all_modules() if m != "observer" and not covered(m, names)]
    assert missing == [], f"add these modules to [tool.importlinter] in pyproject.toml: {missing}"


def test_the_textual_contract_covers_the_whole_core() -> None:
    (forbidden,) = [c for c in contracts() if c.get("forbidden_modules") == ["textual"]]
    top = {".".join(m.split(".")[:2]) for m in all_modules() if m != "observer"}
    core = top - {"observer.tui", "observer.cli", "observer.serve", "observer.__main__"}
    assert sorted(core) == sorted(forbidden["source_modules"])


def test_the_coverage_check_can_fail() -> None:
    assert not covered("observer.brand_new", layered())
    assert covered("observer.codebook.rules", {"observer.codebook"})
    assert covered("observer.media", {"observer.media.mpv"})


def cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(imports.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_among_observer_modules() -> None:
    graph = grimp.build_graph("observer", exclude_type_checking_imports=True)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert cycles(imports) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_the_crypto_package_may_import_the_crypto_libraries() -> None:
    (forbidden,) = [c for c in contracts() if c.get("forbidden_modules") == ["pyrage", "nacl"]]
    top = {".".join(m.split(".")[:2]) for m in all_modules() if m != "observer"}
    others = top - {"observer.crypto", "observer.__main__"}
    assert sorted(others) == sorted(forbidden["source_modules"])
