"""Hot statements: compiled once by SQLAlchemy, then run on the driver's own cursor.

Every SubmitFeed runs the same four small statements. On SQLite, SQLAlchemy's work
around each execution (cache key, execution context, parameter and result wrapping,
events) costs several times the statement itself. A ``DriverStatement`` keeps the
statement a Core construct, and keeps SQLAlchemy's compiler and its types' bind and
result conversions, but runs it straight on the DBAPI cursor of the connection the
transaction already holds. An expanding IN list (``bindparam(..., expanding=True)``)
is rendered once for each list length it is run with, lengths rounded up to a power of
two by repeating the list's last value (which an IN list selects nothing more for), so a
batch's lookups reuse a handful of SQL strings instead of SQLAlchemy rendering one per
execution. Statements that need SQLAlchemy at execution time otherwise (literal-rendered
parameters, Python-side column defaults) are refused when first compiled. Driver errors
are raised as SQLAlchemy's exceptions, as ``Connection.execute`` raises them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


@dataclass(slots=True)
class _Plan:
    """One statement compiled for one dialect and one set of parameter names."""

    compiled: SQLCompiler
    names: Sequence[str] | None  # bind names in order, when the driver takes a tuple
    bind: dict[str, Callable[[Any], Any]]  # the conversions of the parameters that have one
    columns: Sequence[Any]  # what each row holds: the selected or RETURNING columns
    # Every parameter is one the caller passes, under its own name (no defaults, no
    # escaping): its value is the caller's, converted, without construct_params.
    direct: bool = False
    results: list[Processor] | None = None  # set by the first execution's cursor
    expanding: tuple[str, ...] = ()  # the IN-list parameters
    # By the (rounded) length of each IN list: its SQL and how to fill its parameters.
    expanded: dict[tuple[int, ...], _Expanded] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Expanded:
    """A statement's IN lists rendered for one length each."""

    string: str
    names: Sequence[str] | None  # every parameter in order, when the driver takes a tuple
    expansion: Mapping[str, Sequence[str]]  # each IN-list parameter's rendered names
    bind: Mapping[str, Callable[[Any], Any]]  # conversions of the rendered IN-list items


class DriverStatement:
    """A Core statement executed on the DBAPI connection behind a SQLAlchemy Connection."""

    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run with ``params``; the rows it returns (an INSERT may return its new key)."""
        dialect = connection.dialect
        plan = self._plan(dialect, tuple(params))
        if plan.expanding:
            string, arguments = self._expanded_arguments(plan, params)
        else:
            string, arguments = plan.compiled.string, self._arguments(plan, params)
        cursor = self._cursor(connection)
        try:
            cursor.execute(string, arguments)
            if cursor.description is None:
                return []
            fetched = cursor.fetchall()
            if plan.results is None:
                plan.results = [
                    column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                    for column, described in zip(plan.columns, cursor.description, strict=True)
                ]
            results = plan.results
        except dialect.loaded_dbapi.Error as error:
            raise _wrapped(string, arguments, error, dialect) from error
        finally:
            cursor.close()
        if not any(results):
            return [tuple(row) for row in fetched]
        return [
            tuple(value if p is None else p(value) for p, value in zip(results, row, strict=True))
            for row in fetched
        ]

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once for each of ``rows`` (all with the same keys) in one ``executemany``.

        For statements that return nothing: an INSERT must name its primary key."""
        if not rows:
            return
        plan = self._plan_many(connection.dialect, tuple(rows[0]))
        if plan.direct:
            columns = {name: [row[name] for row in rows] for name in rows[0]}
            self._run_many(connection, plan, _by_column(plan, columns))
        else:
            self._run_many(connection, plan, [self._arguments(plan, row) for row in rows])

    def execute_columns(self, connection: Connection, columns: Mapping[str, Sequence[Any]]) -> None:
        """``execute_many`` for rows given a column at a time: ``columns`` maps each
        parameter to its values, one per row, all of one length. No row is built as a
        mapping on the way, which is most of the cost of a batch's Python side."""
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError("every column needs one value per row")
        if not lengths or not lengths.pop():
            return
        plan = self._plan_many(connection.dialect, tuple(columns))
        if plan.direct:
            self._run_many(connection, plan, _by_column(plan, columns))
        else:
            names = list(columns)
            rows = zip(*columns.values(), strict=True)
            arguments = [self._arguments(plan, dict(zip(names, row, strict=True))) for row in rows]
            self._run_many(connection, plan, arguments)

    def _plan_many(self, dialect: Dialect, keys: tuple[str, ...]) -> _Plan:
        plan = self._plan(dialect, keys)
        if plan.expanding:
            raise ValueError("execute_many cannot expand IN lists")
        if plan.compiled.effective_returning:
            raise ValueError("execute_many returns no rows; give the INSERT its keys")
        return plan

    def _run_many(self, connection: Connection, plan: _Plan, arguments: list[Any]) -> None:
        dialect = connection.dialect
        cursor = self._cursor(connection)
        try:
            cursor.executemany(plan.compiled.string, arguments)
        except dialect.loaded_dbapi.Error as error:
            raise _wrapped(plan.compiled.string, arguments, error, dialect) from error
        finally:
            cursor.close()

    def _plan(self, dialect: Dialect, keys: tuple[str, ...]) -> _Plan:
        plan = self._plans.get((dialect.name, keys))
        if plan is None:
            plan = self._plans[dialect.name, keys] = self._compile(dialect, keys)
        return plan

    @staticmethod
    def _arguments(plan: _Plan, params: Mapping[str, Any]) -> Any:
        """The driver's parameters: converted by the types, as a tuple when it takes one."""
        if plan.direct:
            bind = plan.bind
            if plan.names is None:
                return {n: v if (p := bind.get(n)) is None else p(v) for n, v in params.items()}
            return tuple(
                params[n] if (p := bind.get(n)) is None else p(params[n]) for n in plan.names
            )
        values = plan.compiled.construct_params(params)
        for name, process in plan.bind.items():
            values[name] = process(values[name])
        return values if plan.names is None else tuple(values[n] for n in plan.names)

    @staticmethod
    def _expanded_arguments(plan: _Plan, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL with its IN lists rendered, and the driver's parameters for it."""
        lists = {name: _padded(params[name]) for name in plan.expanding}
        lengths = tuple(len(values) for values in lists.values())
        expanded = plan.expanded.get(lengths)
        if expanded is None:
            state = plan.compiled.construct_expanded_state({**params, **lists})
            expanded = plan.expanded[lengths] = _Expanded(
                string=state.statement,
                names=state.positiontup,
                expansion=state.parameter_expansion,
                bind=state.processors,
            )
        scalars = {name: value for name, value in params.items() if name not in lists}
        values: dict[str, Any]
        if plan.direct:
            bind = plan.bind
            values = {n: v if (p := bind.get(n)) is None else p(v) for n, v in scalars.items()}
        else:
            values = dict(plan.compiled.construct_params(scalars | lists))
            for name in lists:
                del values[name]
            for name, process in plan.bind.items():
                if name in values:
                    values[name] = process(values[name])
        for name, items in lists.items():
            for rendered, value in zip(expanded.expansion[name], items, strict=True):
                convert = expanded.bind.get(rendered)
                values[rendered] = value if convert is None else convert(value)
        if expanded.names is None:
            return expanded.string, values
        return expanded.string, tuple(values[name] for name in expanded.names)

    @staticmethod
    def _cursor(connection: Connection) -> Any:
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None  # a Connection inside a transaction has one
        return dbapi_connection.cursor()

    def _compile(self, dialect: Dialect, keys: tuple[str, ...]) -> _Plan:
        statement: Any = self._statement
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        assert isinstance(compiled, SQLCompiler)
        rendered = [p for p in compiled.post_compile_params if not p.expanding]
        if rendered or compiled.literal_execute_params:
            raise ValueError("a DriverStatement cannot render parameters into its SQL")
        expanding = tuple(compiled.bind_names[p] for p in compiled.post_compile_params)
        defaulted = [*compiled.insert_prefetch, *compiled.update_prefetch]
        if defaulted:
            raise ValueError(
                "a DriverStatement does not run Python-side column defaults; pass a value for "
                + ", ".join(sorted(column.key for column in defaulted))
            )
        escaped = compiled.escaped_bind_names
        bind: dict[str, Callable[[Any], Any]] = {}
        for parameter, name in compiled.bind_names.items():
            process = parameter.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                bind[escaped.get(name, name)] = process
        names = None
        if compiled.positional:
            assert compiled.positiontup is not None
            names = [escaped.get(name, name) for name in compiled.positiontup]
        # An INSERT may return its new primary key although it asked for nothing (the
        # compiler adds RETURNING where the database has it): rows of those columns.
        columns = compiled.effective_returning or statement.exported_columns
        named = compiled.bind_names.items()
        direct = (
            not escaped
            and all(parameter.key == name for parameter, name in named)
            and {name for _, name in named} == set(keys)
        )
        return _Plan(
            compiled=compiled,
            names=names,
            bind=bind,
            columns=columns,
            direct=direct,
            expanding=expanding,
        )


def _wrapped(string: str, arguments: Any, error: Exception, dialect: Dialect) -> StatementError:
    """A driver error as SQLAlchemy raises it from ``Connection.execute``."""
    return DBAPIError.instance(
        string, arguments, error, dialect.loaded_dbapi.Error, dialect=dialect
    )


def _padded(values: Sequence[Any]) -> list[Any]:
    """An IN list at the next power-of-two length, its last value repeated (an empty one
    stays empty: SQLAlchemy renders it as a condition that selects nothing)."""
    items = list(values)
    if items:
        items += [items[-1]] * ((1 << (len(items) - 1).bit_length()) - len(items))
    return items


def _by_column(plan: _Plan, columns: Mapping[str, Sequence[Any]]) -> list[Any]:
    """The driver's parameters for the rows of a direct plan, converted a column at a
    time; a value that is the same object as the row before's is converted once (a
    batch's rows share their timestamps, say), which conversions allow: they are pure."""
    names = list(columns) if plan.names is None else plan.names
    converted_columns = []
    for name in names:
        values = columns[name]
        process = plan.bind.get(name)
        if process is not None:
            converted: list[Any] = []
            last: Any = converted  # no value is this list
            done = None
            for value in values:
                if value is not last:
                    last, done = value, process(value)
                converted.append(done)
            values = converted
        converted_columns.append(values)
    if plan.names is None:
        return [dict(zip(names, row, strict=True)) for row in zip(*converted_columns, strict=True)]
    return list(zip(*converted_columns, strict=True))
