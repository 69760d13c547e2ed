"""The remedy cores are pure Python: they must import and run where Django is not installed."""

import ast
import subprocess
import sys
from pathlib import Path

import amends.remedies

PACKAGE = Path(amends.remedies.__file__).parent
# The Django layer of the app (models, services, views …) sits beside the cores; these are the cores.
CORE_NAMES = ("__init__", "catalogue", "codes", "lifecycle", "money", "policy", "policy_file")
CORES = [*(PACKAGE / f"{name}.py" for name in CORE_NAMES), PACKAGE.parent / "core" / "money.py"]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_module_imports_django():
    assert len(CORES) >= 8
    for path in CORES:
        offenders = {name for name in imported_modules(path) if name.split(".")[0] == "django"}
        assert not offenders, f"{path.name} imports {offenders}"


def test_the_cores_run_with_django_blocked():
    script = """
import sys
sys.modules["django"] = None  # any import of django now fails
from datetime import date
from decimal import Decimal
from amends.remedies import catalogue, codes, lifecycle, money, policy, policy_file
rates = money.RateTable("EUR")
spec = policy.OptionSpec(catalogue.Kind.STORE_CREDIT, fixed=Decimal(10))
p = policy.Policy(1, "EUR", (), (spec, policy.OptionSpec(catalogue.Kind.APOLOGY)))
result = policy.evaluate(policy_file.load(policy_file.dump(p), categories=()), policy.Facts(on=date(2026, 1, 1)), rates)
print(catalogue.describe(result.options[0].terms, "sk"), codes.validate(codes.new_code()) is not None)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=PACKAGE.parents[2],
        env={"PYTHONPATH": str(PACKAGE.parents[1])},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Poukážka na 10,00") and done.stdout.strip().endswith("True")
