"""Write many rows fast: COPY on PostgreSQL (psycopg 3), batched INSERTs elsewhere.

Rows are plain tuples in the order of the field names given, which keeps generating
hundreds of thousands of them cheap (no model instances). No model `save()`, signal or
validation runs, as with `bulk_create`: the caller writes consistent data. A field left
out gets its model default (as with `bulk_create`; an empty string for a text field
without one); a field without any default must be given or be nullable (NULL) or the auto
primary key (assigned by the database), otherwise `write` refuses before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import NOT_PROVIDED, Max
from django.db.models.fields import AutoFieldMixin

from core.page_cache import data_written

INSERT_BATCH = 2_000


class RowWriter:
    """Writes rows through one connection and reserves primary keys for rows that others
    point at, so that parents and children can be generated before either is written."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.uses_copy = connection.vendor == "postgresql"
        self._next_id: dict[type[models.Model], int] = {}
        self.counts: dict[str, int] = {}

    def reserve(self, model: type[models.Model], count: int) -> int:
        """The first of `count` consecutive new primary keys of `model`. The table's
        sequence is moved past them by `finish()`. Assumes no one else inserts into the
        table meanwhile (seeding runs alone)."""
        if model not in self._next_id:
            highest = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
            self._next_id[model] = highest + 1
        first = self._next_id[model]
        self._next_id[model] = first + count
        return first

    def write(self, model: type[models.Model], names: str, rows: Iterable[Sequence[Any]]) -> int:
        """Write `rows` (tuples of values for the fields named in `names`, separated by
        spaces) into `model`'s table; foreign keys are given as ids. Returns how many rows
        were written."""
        fields = [model._meta.get_field(name) for name in names.split()]
        defaults = self._defaults_for_the_rest(model, fields)
        if defaults:
            fields += [field for field, _ in defaults]
            rows = self._with_defaults(rows, [default for _, default in defaults])
        table = model._meta.db_table
        columns = [str(field.column) for field in fields]  # type: ignore[union-attr]
        quote = self.connection.ops.quote_name
        column_list = ", ".join(quote(column) for column in columns)
        written = 0
        with self.connection.cursor() as cursor:
            if self.uses_copy:
                # The psycopg cursor under Django's wrapper.
                raw = cursor.cursor
                with raw.copy(f"COPY {quote(table)} ({column_list}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
                # Past Django's wrapper, where pages kept between visits watch for writes.
                data_written(self.connection)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                sql = f"INSERT INTO {quote(table)} ({column_list}) VALUES ({placeholders})"  # noqa: S608  (quoted identifiers)
                prepared = (
                    [
                        field.get_db_prep_save(value, self.connection)  # type: ignore[union-attr]
                        for field, value in zip(fields, row, strict=True)
                    ]
                    for row in rows
                )
                while batch := list(islice(prepared, INSERT_BATCH)):
                    cursor.executemany(sql, batch)
                    written += len(batch)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + written
        return written

    @contextmanager
    def foreign_keys_checked_once(self, tables: Iterable[type[models.Model]]) -> Iterator[None]:
        """On PostgreSQL, check the foreign keys of `tables` once, after loading, instead
        of row by row: Django's foreign keys are deferred, so every row written queues a
        check that runs at commit, which costs more than the COPY itself. The constraints
        are dropped and added back unchanged (`pg_get_constraintdef`), which checks every
        row in one pass. Inside the caller's transaction: a failure undoes both."""
        if not self.uses_copy:
            yield
            return
        names = sorted({model._meta.db_table for model in tables})
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
                [[quote(name) for name in names] + names],
            )
            constraints = cursor.fetchall()
            # Checks already queued (rows written before) run now: a table with pending
            # checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, name, _ in constraints:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        yield
        with self.connection.cursor() as cursor:
            for table, name, definition in constraints:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")

    def finish(self) -> None:
        """Move each table's id sequence past the keys reserved by hand."""
        if not self._next_id:
            return
        statements = self.connection.ops.sequence_reset_sql(no_style(), list(self._next_id))
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def analyze(self) -> None:
        """Refresh the planner's statistics of the tables written (PostgreSQL), as
        autovacuum would shortly after a large load."""
        if not self.uses_copy or not self.counts:
            return
        quote = self.connection.ops.quote_name
        tables = sorted({apps.get_model(label)._meta.db_table for label in self.counts})
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(quote(table) for table in tables))

    @staticmethod
    def _defaults_for_the_rest(
        model: type[models.Model], fields: list[Any]
    ) -> list[tuple[Any, Callable[[], Any]]]:
        """The fields not given that need a value, each with its default; refuses a field
        that has none."""
        given = {field.name for field in fields}
        rest = []
        for field in model._meta.concrete_fields:
            if field.name in given or isinstance(field, AutoFieldMixin):
                continue
            if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue
            if field.has_default() or (field.empty_strings_allowed and not field.null):
                rest.append((field, field.get_default))
            elif not field.null:
                raise ValueError(f"{model._meta.label}: no value given for {field.name}")
        return rest

    @staticmethod
    def _with_defaults(
        rows: Iterable[Sequence[Any]], defaults: list[Callable[[], Any]]
    ) -> Iterator[tuple[Any, ...]]:
        for row in rows:
            yield (*row, *(default() for default in defaults))
