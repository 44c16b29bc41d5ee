"""Nothing but the care record's adapters (`care/adapters/`) writes the care tables: this
test reads every module of the shipped packages and fails on any other module that builds
a care row, runs insert/update/delete on a care table, or assigns to an attribute of a
care row it loaded. (Tests and benchmarks seed data directly and are not scanned.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("care", "contracts", "streams", "schedules", "services")
ADAPTERS = ROOT / "care" / "adapters"
CARE_MODELS = frozenset(
    {
        "AlertRecord",
        "AlertHistory",
        "FlagRecord",
        "FlagHistory",
        "ReferralRecord",
        "ReferralHistory",
        "UnmetNeed",
        "UnmetNeedHistory",
        "AuditRecord",
    }
)
CARE_TABLES = (
    "alerts",
    "alert_history",
    "flags",
    "flag_history",
    "referrals",
    "referral_history",
    "unmet_needs",
    "unmet_need_history",
    "audit_log",
)
RAW_WRITE = re.compile(
    r"\b(insert\s+into|update|delete\s+from)\s+\"?(" + "|".join(CARE_TABLES) + r")\b", re.I
)
WRITERS = frozenset({"insert", "update", "delete", "insert_ignoring_duplicates"})


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def writes(source: str) -> list[str]:
    """The care-table writes in one module's source, as 'line: what'."""
    tree = ast.parse(source)
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "services.store.models"
        for alias in node.names
    } & CARE_MODELS
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in imported:
                found.append(f"{node.lineno}: builds a {name} row")
            elif name in WRITERS and _names(node) & imported:
                found.append(f"{node.lineno}: {name}() on a care table")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if RAW_WRITE.search(node.value):
                found.append(f"{node.lineno}: SQL writing a care table")
        elif imported and isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id not in {"self", "cls"}
                ):
                    found.append(
                        f"{node.lineno}: assigns {target.value.id}.{target.attr} "
                        "in a module that loads care rows"
                    )
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def test_only_the_care_adapters_write_the_care_tables() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if ADAPTERS not in path.parents
        and "migrations" not in path.parts
        and (found := writes(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_finds_each_kind_of_write() -> None:
    source = """
from sqlalchemy import update
from services.store.models import AlertRecord, FlagRecord, Person

def f(session, flag_id):
    session.add(AlertRecord(id=1))
    session.execute(update(FlagRecord).values(status="resolved"))
    session.execute(text("DELETE FROM unmet_needs WHERE id = 1"))
    flag = session.get(FlagRecord, flag_id)
    flag.status = "resolved"
    session.add(Person(id="P1"))
"""
    assert [line.split(": ", 1)[1] for line in writes(source)] == [
        "builds a AlertRecord row",
        "update() on a care table",
        "SQL writing a care table",
        "assigns flag.status in a module that loads care rows",
    ]
