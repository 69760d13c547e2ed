"""Kept counts: how many rows of a table hold each value of one column, read without counting the table.

A trigger on the table writes a delta row into amends_tally for every change of the column (insert, delete, an
update that changes it), in the same transaction as the change: a count can never disagree with the table, and
nothing in the application has to remember to keep it (bulk updates, raw SQL and COPY are counted too).
PostgreSQL uses statement triggers with transition tables, so a statement that inserts a million rows writes one
delta row per value, not a million. SQLite has only row triggers: one delta row per changed row.

Reading a count sums its delta rows; `tallies_fold` (a periodic job, every few seconds) folds them into one row
per value, so a read sums a handful of rows. The counted tables are listed in TALLIED; each app's migration calls
`install` for its own table.
"""

from django.db import connection, connections, transaction

# (table, column, kind): the counts kept.
TALLIED = [
    ("cases_case", "status", "case.status"),
    ("triage_casetriage", "category_id", "triage.category"),
    ("outbox_outboxmessage", "state", "outbox.state"),
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION amends_tally_statement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    col text := TG_ARGV[1];
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO amends_tally (kind, value, delta) SELECT %L, coalesce(%I::text, ''''), count(*) '
                       'FROM new_rows GROUP BY 2', kind, col);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('INSERT INTO amends_tally (kind, value, delta) SELECT %L, coalesce(%I::text, ''''), -count(*) '
                       'FROM old_rows GROUP BY 2', kind, col);
    ELSE
        EXECUTE format('INSERT INTO amends_tally (kind, value, delta) SELECT %L, v, sum(d) FROM ('
                       'SELECT coalesce(%I::text, '''') AS v, -1 AS d FROM old_rows UNION ALL '
                       'SELECT coalesce(%I::text, ''''), 1 FROM new_rows) AS changes GROUP BY v HAVING sum(d) <> 0',
                       kind, col, col);
    END IF;
    RETURN NULL;
END
$$;
"""


def _pg_triggers(table: str, column: str, kind: str) -> list[str]:
    call = f"FOR EACH STATEMENT EXECUTE FUNCTION amends_tally_statement('{kind}', '{column}')"
    return [
        f"CREATE TRIGGER {table}_tally_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows {call}",
        f"CREATE TRIGGER {table}_tally_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows {call}",
        f"CREATE TRIGGER {table}_tally_upd AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {call}",
    ]


def _sqlite_triggers(table: str, column: str, kind: str) -> list[str]:
    def value(row: str) -> str:
        return f"coalesce(CAST({row}.{column} AS TEXT), '')"

    insert = "INSERT INTO amends_tally (kind, value, delta) VALUES"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_tally_ins AFTER INSERT ON {table} BEGIN "
        f"{insert} ('{kind}', {value('new')}, 1); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_tally_del AFTER DELETE ON {table} BEGIN "
        f"{insert} ('{kind}', {value('old')}, -1); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_tally_upd AFTER UPDATE OF {column} ON {table} "
        f"WHEN old.{column} IS NOT new.{column} BEGIN "
        f"{insert} ('{kind}', {value('old')}, -1), ('{kind}', {value('new')}, 1); END",
    ]


def install(schema_editor, table: str) -> None:  # type: ignore[no-untyped-def]
    """Create the triggers that keep `table`'s count, and count the rows already there (once, at migration)."""
    _table, column, kind = next(entry for entry in TALLIED if entry[0] == table)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, None)  # no parameters: its % are format()'s, not placeholders
        statements = _pg_triggers(table, column, kind)
    else:
        statements = _sqlite_triggers(table, column, kind)
    schema_editor.execute(f"DELETE FROM amends_tally WHERE kind = '{kind}'")  # noqa: S608 - names from TALLIED
    schema_editor.execute(
        f"INSERT INTO amends_tally (kind, value, delta) "  # noqa: S608
        f"SELECT '{kind}', coalesce(CAST({column} AS TEXT), ''), count(*) FROM {table} GROUP BY {column}"
    )
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(schema_editor, table: str) -> None:  # type: ignore[no-untyped-def]
    _table, _column, kind = next(entry for entry in TALLIED if entry[0] == table)
    for suffix in ("ins", "del", "upd"):
        on = f" ON {table}" if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_tally_{suffix}{on}")
    schema_editor.execute(f"DELETE FROM amends_tally WHERE kind = '{kind}'")  # noqa: S608


def ensure_sqlite_triggers(using: str = "default") -> None:
    """SQLite drops a table's triggers when a migration rebuilds the table (its way of altering a column); put back
    any that a later migration dropped. The count stays right meanwhile: the rebuild copies rows, it does not
    insert new ones."""
    database = connections[using]
    if database.vendor != "sqlite":
        return
    with database.cursor() as cursor:
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "amends_tally" not in tables:
            return
        for table, column, kind in TALLIED:
            if table in tables:
                for statement in _sqlite_triggers(table, column, kind):
                    cursor.execute(statement)


def tally_totals(kind: str) -> dict[str, int]:
    """Each value's count, e.g. tally_totals("case.status") → {"new": 12, "closed": 930001}; values with none are
    left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT value, SUM(delta) FROM amends_tally WHERE kind = %s GROUP BY value HAVING SUM(delta) <> 0",
            [kind],
        )
        return {value: int(total) for value, total in cursor.fetchall()}


def tallies_fold() -> int:
    """Fold the delta rows of every count into one row per value; returns how many rows it removed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, one snapshot: rows committed meanwhile are neither deleted nor summed, they stay as
            # they are for the next fold; a second fold running at once waits, then finds these rows gone.
            cursor.execute(
                "WITH gone AS (DELETE FROM amends_tally RETURNING kind, value, delta), "
                "folded AS (INSERT INTO amends_tally (kind, value, delta) "
                "SELECT kind, value, SUM(delta) FROM gone GROUP BY kind, value HAVING SUM(delta) <> 0 RETURNING 1) "
                "SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM folded)"
            )
            return int(cursor.fetchone()[0])
        with transaction.atomic():  # an IMMEDIATE transaction on SQLite: no writer comes in between
            cursor.execute("SELECT max(id), count(*) FROM amends_tally")
            last, before = cursor.fetchone()
            if not last:
                return 0
            cursor.execute(
                "SELECT kind, value, SUM(delta) FROM amends_tally WHERE id <= %s GROUP BY kind, value "
                "HAVING SUM(delta) <> 0",
                [last],
            )
            totals = cursor.fetchall()
            cursor.execute("DELETE FROM amends_tally WHERE id <= %s", [last])
            cursor.executemany("INSERT INTO amends_tally (kind, value, delta) VALUES (%s, %s, %s)", totals)
            return int(before) - len(totals)


def tallies_recount(using: str = "default") -> None:
    """Count every kept count again from its table (after a bulk load that ran with triggers off, or to check).
    Reads whole tables: an operator's or a benchmark's step, never a request's."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for table, column, kind in TALLIED:
            cursor.execute("DELETE FROM amends_tally WHERE kind = %s", [kind])
            cursor.execute(
                f"INSERT INTO amends_tally (kind, value, delta) "  # noqa: S608 - names from TALLIED
                f"SELECT %s, coalesce(CAST({column} AS TEXT), ''), count(*) FROM {table} GROUP BY {column}",
                [kind],
            )
