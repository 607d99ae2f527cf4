"""Building the data set in several processes at once (SQLite).

Why: a plan's build is bound by the ORM's CPU time, not by the disk. Through the
services a plan takes about 115 statements and 50 flushes, some 70 ms of Python
on a 2-core machine, however the commits are batched. A SQLite file takes one
writer at a time and a writer holds its lock for its whole transaction, so
processes sharing one file would only take turns.

So each worker process builds a share of the plans, through the same services
(``Builder.plan``), into a shard of its own: a file with the data set's schema
and its directory (the same agencies and staff, with the same ids) and nothing
else. The main process copies each shard's new rows into the data set, shard
after shard in plan order, renumbering them to continue the data set's ids and
every reference to them (foreign keys, and the ``object_type``/``object_id``
pairs of audit events and notices). The result is the data set one process
would have written: the same rows with the same ids; only what the services
take from the clock, and random UIDs, differ
(tests/functional/test_bench_dataset.py compares the two).

Each shard is merged in one transaction: an interrupted build resumes after the
last merged shard, as the one-process build resumes after its last batch.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from family_app.models import Base

from .dataset import BATCH, KEY, Builder

SHARD_PLANS = 500  # at most this many plans in a shard: merged (and safe) every ~30 s

# The object an audit event or a notice names, by its object_type: the table its
# object_id points into. A shard with any other object_type is refused, rather
# than copied with an id that may point at the wrong row.
OBJECT_TABLES = {
    "plan": "plans",
    "plan_member": "plan_members",
    "goal": "goals",
    "action": "actions",
    "consent": "consents",
    "consent_event": "consent_events",
    "meeting": "meetings",
    "statement": "statements",
    "statement_answer": "statement_answers",
    "agenda_item": "agenda_items",
    "decision": "decisions",
}

# The directory a shard starts from: which rows of these tables it copies.
DIRECTORY = {"agencies": "", "people": f"WHERE external_key LIKE '{KEY}staff:%'"}


# The SQL below is composed of the models' own table and column names, integer ids
# and object types checked against OBJECT_TABLES: nothing read from outside.


def _tables() -> list[Any]:
    """Every table of the app, each after the tables it refers to."""
    return list(Base.metadata.sorted_tables)


def _max_id(con: sqlite3.Connection, table: str) -> int:
    return con.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]  # noqa: S608


def _template(data_set: Path, template: Path) -> dict[str, int]:
    """An empty copy of the data set's schema (its own DDL, indexes and unique
    constraints included: ON CONFLICT DO NOTHING depends on them) holding the
    directory with its ids; per table, the highest id it holds."""
    con = sqlite3.connect(template, isolation_level=None)
    try:
        con.execute("ATTACH DATABASE ? AS source", (str(data_set),))
        schema = con.execute(
            "SELECT type, sql FROM source.sqlite_master "
            "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY type != 'table', rowid"
        ).fetchall()
        for _type, sql in schema:
            con.execute(sql)
        con.execute("BEGIN")
        for table, where in DIRECTORY.items():
            con.execute(f"INSERT INTO main.{table} SELECT * FROM source.{table} {where}")  # noqa: S608
        con.execute("COMMIT")
        con.execute("DETACH DATABASE source")
        return {t.name: _max_id(con, f"main.{t.name}") for t in _tables()}
    finally:
        con.close()


def _build_shard(
    config: dict[str, Any], template: str, shard: str, plans: int, today: date, start: int, end: int
) -> str:
    """In a worker process: plans ``start..end-1`` into a copy of the template,
    by the app's services in an app of their own (the parent's settings, the
    shard's database)."""
    from family_app import create_app
    from family_app.extensions import db

    shutil.copyfile(template, shard)
    app = create_app(config | {"DATABASE_URL": f"sqlite:///{shard}"})
    with app.app_context():
        builder = Builder(db.session, plans, today)
        made = builder.directory()
        assert made == 0, "the shard's directory differs from the data set's"
        for i in range(start, end):
            builder.plan(i)
            if (i + 1 - start) % BATCH == 0:
                builder.next_batch()
        builder.next_batch()
        db.session.close()
    assert db.engine is not None
    db.engine.dispose()
    return shard


def _merge(
    data_set: Path,
    shard: Path,
    base: dict[str, int],
    directory_map: dict[str, dict[int, int]] | None = None,
    replace: dict[str, dict[str, str]] | None = None,
) -> None:
    """Copy the shard's rows above the template's into the data set, in one
    transaction, each id moved past the data set's highest (and each reference to
    a moved row with it); a reference at or below the template's highest id is a
    directory row, which has the same id in both, unless ``directory_map`` names
    another directory row for it (bench/clone.py: a copy served by other staff).
    ``replace`` gives SQL for columns whose copied value must change (per table)."""
    directory_map = directory_map or {}
    replace = replace or {}
    con = sqlite3.connect(data_set, isolation_level=None, timeout=60)
    try:
        con.execute("PRAGMA foreign_keys=ON")  # a wrong reference fails the merge
        con.execute("ATTACH DATABASE ? AS shard", (str(shard),))
        con.execute(
            "CREATE TEMP TABLE IF NOT EXISTS directory_map "
            "(tbl TEXT, old INTEGER, new INTEGER, PRIMARY KEY (tbl, old))"
        )
        con.execute("DELETE FROM temp.directory_map")
        con.executemany(
            "INSERT INTO temp.directory_map VALUES (?, ?, ?)",
            [(t, old, new) for t, pairs in directory_map.items() for old, new in pairs.items()],
        )
        con.execute("BEGIN IMMEDIATE")
        tables = _tables()
        shift = {t.name: _max_id(con, f"main.{t.name}") - base[t.name] for t in tables}

        def moved(column: str, table: str) -> str:
            kept = column
            if table in directory_map:
                kept = (
                    f"coalesce((SELECT new FROM temp.directory_map WHERE tbl = '{table}' "  # noqa: S608
                    f"AND old = {column}), {column})"
                )
            return (
                f"CASE WHEN {column} > {base[table]} THEN {column} + {shift[table]} ELSE {kept} END"
            )

        for t in tables:
            name = t.name
            if base[name]:
                changed = con.execute(
                    f"SELECT count(*) FROM (SELECT * FROM shard.{name} WHERE id <= {base[name]} "  # noqa: S608
                    f"EXCEPT SELECT * FROM main.{name})"
                ).fetchone()[0]
                if changed:
                    raise RuntimeError(f"a shard changed {changed} directory rows in {name}")
            columns = [c.name for c in t.columns]
            values = {c: c for c in columns}
            values["id"] = f"id + {shift[name]}"
            for column in t.columns:
                for key in column.foreign_keys:
                    assert key.column.name == "id", key
                    values[column.name] = moved(column.name, key.column.table.name)
            if "object_type" in values and "object_id" in values:
                kinds = {
                    kind
                    for (kind,) in con.execute(
                        f"SELECT DISTINCT object_type FROM shard.{name} "  # noqa: S608
                        f"WHERE id > {base[name]} AND object_id IS NOT NULL"
                    )
                }
                unknown = kinds - OBJECT_TABLES.keys()
                if unknown:
                    raise RuntimeError(f"{name}: no table known for object types {unknown}")
                cases = " ".join(
                    f"WHEN '{kind}' THEN {moved('object_id', OBJECT_TABLES[kind])}"
                    for kind in sorted(kinds)
                )
                if cases:
                    values["object_id"] = f"CASE object_type {cases} ELSE object_id END"
            values |= replace.get(name, {})
            con.execute(
                f"INSERT INTO main.{name} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(values[c] for c in columns)} FROM shard.{name} "
                f"WHERE id > {base[name]} ORDER BY id"
            )
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def build(
    config: dict[str, Any],
    data_set: Path,
    plans: int,
    have: int,
    today: date,
    workers: int,
    progress: Callable[[str], None],
) -> None:
    """Plans ``have..plans-1`` by ``workers`` processes, merged in plan order."""
    # Each worker's app gets the parent's settings (the plain values), its own database.
    config = {
        key: value
        for key, value in config.items()
        if isinstance(value, str | int | float | bool | None) and not key.startswith("DATABASE_")
    }
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="shards-", dir=data_set.parent) as folder:
        template = Path(folder) / "template.sqlite"
        base = _template(data_set, template)
        # Shares of at most SHARD_PLANS, and enough of them to keep every worker busy.
        size = max(1, min(SHARD_PLANS, -(-(plans - have) // workers)))
        shares = [(a, min(a + size, plans)) for a in range(have, plans, size)]
        context = multiprocessing.get_context("spawn")  # no forked engine, no forked locks
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = [
                pool.submit(
                    _build_shard,
                    config,
                    str(template),
                    str(Path(folder) / f"shard-{a}.sqlite"),
                    plans,
                    today,
                    a,
                    b,
                )
                for a, b in shares
            ]
            try:
                for (_a, b), future in zip(shares, futures, strict=True):
                    shard = Path(future.result())
                    _merge(data_set, shard, base)
                    shard.unlink()
                    rate = (b - have) / (time.monotonic() - started)
                    progress(f"plans {b:,}/{plans:,}  ({rate:.0f}/s, {workers} processes)")
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
