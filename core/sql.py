"""Queries compiled once per process: the ORM writes the SQL, later calls only run it.

A small ORM query costs ~0.3 ms of Python to compile (columns, joins, WHERE tree) before the database
sees it, and values() rows pass through per-column converters: for the judge's queue position (183
rows) that was 0.95 ms against 0.24 ms for running the same SQL. The few queries that every view of
the busiest pages asks (docs/performance.md, "Prepared queries") are written with the ORM as usual,
compiled on first use with stand-in parameters, and then run through the connection's cursor with
the real ones: the same SQL, still in Django's query log (assertNumQueries, the debug toolbar).

Limits, checked when the query is first compiled:
* parameters are integers (ids, round numbers) passed by name; each must reach the SQL as itself
  (a list for `__in` would expand to several placeholders: not supported);
* the rows are the database's raw values: integers, text, and booleans that are 0/1 on SQLite (read
  them as truthy). No datetime columns (SQLite returns text for those).
"""

from django.db import connections

# Stand-in values: distinct integers that no constant of these queries is, within the range of a small
# integer column (Django compiles a lookup out of a column's range to "no rows": PostgreSQL's smallint
# ends at 32,767). The query is compiled twice, with two sets of them: the SQL must be the same, and
# every other value the same.
_STAND_INS = (30_911, 31_733)


class PreparedQuery:
    """build(**params) -> a values_list() / values() queryset; `rows(**params)` runs it."""

    def __init__(self, build, *names, using="default"):
        self.build, self.names, self.using = build, names, using
        self._compiled = {}  # vendor -> (sql, [(name, int type) or ("const", value)])

    def _compile_with(self, connection, base):
        stand_ins = {name: base + i for i, name in enumerate(self.names)}
        by_value = {v: k for k, v in stand_ins.items()}
        sql, params = self.build(**stand_ins).query.get_compiler(connection=connection).as_sql()
        # a parameter slot keeps the value's type: psycopg's Int2 for a small integer column on PostgreSQL
        return sql, [(by_value[p], type(p)) if isinstance(p, int) and not isinstance(p, bool) and p in by_value
                     else ("const", p) for p in params]

    def _compile(self, connection):
        (sql, slots), (sql_b, slots_b) = (self._compile_with(connection, base) for base in _STAND_INS)
        if sql != sql_b or slots != slots_b:
            raise ValueError(f"parameters {list(self.names)} must reach the SQL unchanged, one placeholder each "
                             "(not in a list, not computed from)")
        missing = set(self.names) - {name for name, _ in slots if name != "const"}
        if missing:
            raise ValueError(f"parameter(s) {sorted(missing)} do not reach the SQL")
        return sql, slots

    def rows(self, **params):
        connection = connections[self.using]
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile(connection)
        sql, slots = compiled
        values = [value if name == "const" else value(params[name]) for name, value in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()
