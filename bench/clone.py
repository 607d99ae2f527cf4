"""A large data set made from copies of a smaller one (SQLite only; ``--clone-from``).

Why: through the services a plan costs about 70 ms of CPU, so 100,000 plans take
an hour of two cores. With ``scripts/bench --plans 100000 --clone-from 1000`` the
first 1,000 plans are built through the services (``bench/data/plans-1000.sqlite``,
reused when there) and the other 99,000 are copies of those rows, merged as
``bench/shards.py`` merges a shard: every id moved past the data set's highest and
every reference with it (foreign keys, audit/notice ``object_type``/``object_id``).

Each copy is a family of its own: new people for the child, guardians and
relatives, with the plan index in their ``external_key`` (``bench:child:1234``), new
user handles and meeting UIDs (the unique columns). The directory is not copied:
a copy's staff and agencies are those of the municipality its plans fall in
(plan ``i`` in municipality ``i // 1000``, as the service build places it), the
same coordinator, role and agency kind, so caseloads stay what the service build
gives (30 plans a coordinator). Names, texts and dates are the copied plan's.

What it does not prove: that 100,000 different plans behave like 100 copies of
1,000 (the rows repeat; a query plan that depends on value spread may differ),
nor how long the services take to write them. The audit log's bulk read events
(``Builder.fill_audit``) are added afterwards as in the plain build.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import LargeBinary

from .dataset import HISTORY, KEY, PLANS_PER_MUNICIPALITY
from .shards import _merge, _tables

# Not copied: the benchmark's own passkeys and sessions, the bulk audit rows
# (fill_audit adds them for the whole data set), and the audit rows written after
# them: the reads of earlier measured runs on the source (a build ends with its
# bulk rows), which are not part of what the services built.
DROPPED = [
    ("credentials", ""),
    ("web_sessions", ""),
    ("audit_events", f"WHERE id > (SELECT max(id) FROM audit_events WHERE detail = '{HISTORY}')"),  # noqa: S608
    ("audit_events", f"WHERE detail = '{HISTORY}'"),
]


def clean_copy(source: Path, target: Path) -> None:
    """``target``: the service-built plans of ``source`` and its directory, nothing else."""
    shutil.copyfile(source, target)
    con = sqlite3.connect(target, isolation_level=None)
    try:
        for table, where in DROPPED:
            con.execute(f"DELETE FROM {table} {where}")  # noqa: S608
        con.execute("VACUUM")
    finally:
        con.close()


def _staff(con: sqlite3.Connection, schema: str) -> dict[str, int]:
    return dict(
        con.execute(
            f"SELECT external_key, id FROM {schema}.people WHERE external_key LIKE ?",  # noqa: S608
            (f"{KEY}staff:%",),
        )
    )


def _directory_map(con: sqlite3.Connection, moved: int) -> dict[str, dict[int, int]]:
    """Each directory row of the shard to its counterpart ``moved`` municipalities on."""
    people = {}
    target = _staff(con, "main")
    for key, old in _staff(con, "shard").items():
        _staff_key, m, kind, n = key.removeprefix(KEY).split(":")
        people[old] = target[f"{KEY}staff:{int(m) + moved}:{kind}:{n}"]
    agencies = {}
    names = dict(con.execute("SELECT name, id FROM main.agencies"))
    for name, old in con.execute("SELECT name, id FROM shard.agencies"):
        kind, m = name.rsplit(" ", 1)
        agencies[old] = names[f"{kind} {int(m) + moved}"]
    return {"people": people, "agencies": agencies}


def _replace(offset: int) -> dict[str, dict[str, str]]:
    """SQL for the copied values of unique columns, for a copy of plans from ``offset``."""
    child, guardian = f"{KEY}child:", f"{KEY}guardian:"
    rest = f"substr(external_key, {len(guardian) + 1})"
    number = f"substr(external_key, {len(child) + 1})"
    return {
        "people": {
            "external_key": (
                f"CASE WHEN external_key LIKE '{child}%' THEN "
                f"'{child}' || (CAST({number} AS INTEGER) + {offset}) "
                f"WHEN external_key LIKE '{guardian}%' THEN '{guardian}' || "
                f"(CAST(substr({rest}, 1, instr({rest}, ':') - 1) AS INTEGER) + {offset}) "
                f"|| substr({rest}, instr({rest}, ':')) "
                f"WHEN external_key IS NULL THEN NULL ELSE external_key || ':copy{offset}' END"
            ),
            "user_handle": "CASE WHEN user_handle IS NULL THEN NULL "
            "ELSE randomblob(length(user_handle)) END",
        },
        "meetings": {"uid": "lower(hex(randomblob(16))) || '@family-sip'"},
    }


def _check_unique(con: sqlite3.Connection, base: dict[str, int]) -> None:
    """Refuse a shard whose copied rows hold values in a unique column no rule
    above changes (the directory, at or below ``base``, is not copied)."""
    handled = _replace(0)
    for t in _tables():
        for c in t.columns:
            if not c.unique or c.foreign_keys or c.name in handled.get(t.name, {}):
                continue
            found = con.execute(
                f"SELECT count(*) FROM shard.{t.name} "  # noqa: S608
                f"WHERE {c.name} IS NOT NULL AND id > {base[t.name]}"
            ).fetchone()[0]
            if found:
                kind = "bytes" if isinstance(c.type, LargeBinary) else "text"
                raise RuntimeError(f"no rule to copy unique {kind} column {t.name}.{c.name}")


def build(
    data_set: Path,
    source: Path,
    size: int,
    plans: int,
    have: int,
    progress: Callable[[str], None],
) -> None:
    """Plans ``have..plans-1`` of ``data_set`` as copies of the ``size`` service-built
    plans of ``source`` (whose directory has the data set's ids)."""
    if (plans - have) % size:
        raise SystemExit(f"--plans minus the plans built ({have}) must be a multiple of {size}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="clone-", dir=data_set.parent) as folder:
        shard = Path(folder) / "shard.sqlite"
        clean_copy(source, shard)
        con = sqlite3.connect(data_set)
        try:
            con.execute("ATTACH DATABASE ? AS shard", (str(shard),))
            children = con.execute(
                "SELECT count(*) FROM shard.people WHERE external_key LIKE ?", (f"{KEY}child:%",)
            ).fetchone()[0]
            assert children == size, f"{source} holds {children} plans, not {size}"
            staff = _staff(con, "shard")
            top = max(staff.values())
            first = con.execute(
                "SELECT min(id) FROM shard.people WHERE id NOT IN "
                "(SELECT id FROM shard.people WHERE external_key LIKE ?)",
                (f"{KEY}staff:%",),
            ).fetchone()[0]
            assert first is None or first > top, "the source's staff are not its first people"
            base = {t.name: 0 for t in _tables()}
            base["agencies"] = con.execute("SELECT max(id) FROM shard.agencies").fetchone()[0]
            base["people"] = top
            _check_unique(con, base)
            maps = {}
            for offset in range(have, plans, size):
                moved = offset // PLANS_PER_MUNICIPALITY
                if moved not in maps:
                    maps[moved] = _directory_map(con, moved)
        finally:
            con.close()
        for offset in range(have, plans, size):
            moved = offset // PLANS_PER_MUNICIPALITY
            _merge(data_set, shard, base, maps[moved], _replace(offset))
            done = offset + size
            rate = (done - have) / (time.monotonic() - started)
            progress(f"copied plans {done:,}/{plans:,}  ({rate:.0f}/s)")


def foreign_key_problems(data_set: Path) -> int:
    """How many rows PRAGMA foreign_key_check finds (0 for a sound data set)."""
    con = sqlite3.connect(data_set)
    try:
        return len(con.execute("PRAGMA foreign_key_check").fetchall())
    finally:
        con.close()
