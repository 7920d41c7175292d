"""The rules core imports only the standard library and itself, read from its source with `ast`."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import timetable.rules

PACKAGE = "timetable.rules"
PACKAGE_DIR = Path(timetable.rules.__file__).resolve().parent
MODULES = sorted(PACKAGE_DIR.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def foreign_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """Return what `source` (the module `module`) imports from outside the stdlib and the core.

    Relative imports are resolved against the module's package, so `from .. import x` that
    climbs out of the core is caught too. Dynamic imports are reported as such.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module or ""]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
            "__import__",
            "import_module",
        ):
            found.append(f"dynamic import at line {node.lineno}")
            continue
        else:
            continue
        for name in names:
            inside = name == PACKAGE or name.startswith(PACKAGE + ".")
            if not inside and name.partition(".")[0] not in sys.stdlib_module_names:
                found.append(name)
    return found


def test_the_core_has_modules_to_check():
    assert {path.name for path in MODULES} >= {"__init__.py", "errors.py", "weeks.py", "stripes.py", "params.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_module_imports_only_the_standard_library_and_the_core(path):
    module = module_name(path)
    assert foreign_imports(path.read_text(encoding="utf-8"), module, path.name == "__init__.py") == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_module_opens_with_a_docstring_naming_its_role(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring and docstring.splitlines()[0].strip()


@pytest.mark.parametrize(
    ("source",                                         "found"),
    [
        ("import flask",                                   ["flask"]),
        ("from sqlalchemy.orm import Session",             ["sqlalchemy.orm"]),
        ("from timetable.models import Slot",              ["timetable.models"]),
        ("from .. import extensions",                      ["timetable"]),
        ("from ..models import Slot",                      ["timetable.models"]),
        ("import importlib\nimportlib.import_module('x')", ["dynamic import at line 2"]),
        ("__import__('flask')",                            ["dynamic import at line 1"]),
        ("import datetime, re\nfrom .weeks import x",      []),
        ("from timetable.rules.errors import RulesError",  []),
        ("from . import weeks",                            []),
    ],
)
def test_the_scanner_catches_foreign_imports(source, found):
    assert foreign_imports(source, "timetable.rules.stripes") == found


def test_the_core_imports_in_a_python_without_flask_or_sqlalchemy():
    """`import timetable.rules` must work where only the standard library is importable."""
    import subprocess
    import sys
    from pathlib import Path

    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug', 'marshmallow'}:\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import timetable.rules as rules\n"
        "assert rules.format_week(rules.next_week(202053)) == '2021-W01'\n"
        "print('pure')\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", blocker], cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pure"
