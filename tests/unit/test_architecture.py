"""The floors hold: small handler modules, short functions, typed flow state, distinct callback kinds, and the
import contracts (import-linter, also run by `./dev test`)."""

from __future__ import annotations

import ast
import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from handlers.callbacks import registered_prefixes

ROOT = Path(__file__).resolve().parents[2]
HANDLER_MODULE_MAX_LINES = 250
FUNCTION_MAX_LINES = 60


def _sources(*roots: str) -> list[Path]:
    return [p for root in roots for p in sorted((ROOT / root).rglob("*.py")) if "migrations" not in p.parts]


def test_handler_modules_stay_small() -> None:
    too_long = {str(p.relative_to(ROOT)): n for p in _sources("handlers")
                if (n := len(p.read_text().splitlines())) > HANDLER_MODULE_MAX_LINES}
    assert too_long == {}


def test_functions_stay_short() -> None:
    too_long = []
    for path in _sources("bot", "handlers", "storage"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_MAX_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert too_long == []


def test_flow_state_is_typed_not_ignored() -> None:
    """user_data is reached through FlowState (handlers/flow_state.py), never with a `type: ignore`."""
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in _sources("handlers")
                 for i, line in enumerate(p.read_text().splitlines(), 1)
                 if "user_data" in line and "type: ignore" in line]
    assert offenders == []


def test_callback_kinds_are_distinct_and_unambiguous() -> None:
    for module in sorted(p.stem for p in (ROOT / "handlers").glob("*.py")):  # defines every callback kind
        importlib.import_module(f"handlers.{module}")
    prefixes = registered_prefixes()
    assert len(prefixes) >= 15
    for prefix, kind in prefixes.items():
        for other in prefixes:
            if other != prefix:
                # "fu" would swallow "fu:o:…" when its fields happen to fit: no prefix extends another
                assert not other.startswith(prefix + ":"), f"{prefix!r} ({kind.__name__}) shadows {other!r}"
        assert re.fullmatch(r"[a-z_]+(:[a-z_]+)*", prefix), prefix


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (`./dev test` installs it)")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
