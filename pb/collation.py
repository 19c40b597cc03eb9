"""Kyrgyz order and search folding in SQL, the same on SQLite and PostgreSQL.

``in_kyrgyz_order(column)`` is a column to sort by (``ORDER BY`` and relationships'
``order_by``); ``folded(column)`` is a column as search compares it, to match against
``pb.alphabet.fold(words)``. Each compiles to what its database offers:

- PostgreSQL: ICU's Kyrgyz collation, ``"ky-x-icu"``, which initdb creates on a server built
  with ICU (Debian's and the official images are); the folding is ``translate(lower(x), ...)``
  with ``lower`` in that collation too.
- SQLite: a collation and a function registered on every connection (``register``), both
  ``pb.alphabet``'s Python: the order and the folding are the same code as in-memory sorts.

Why a collation in the query and not a collated column: on SQLite, a column (or an index)
declared with a collation SQLite does not know fails in every tool that has not registered it
(the sqlite3 shell, a restore check), and collated columns would need a migration for every
table with a name. The indexes keep serving the filters (by municipality, by consultation) as
before; what they find is then sorted, where an index on the bare column gave its order for
free: a municipality's roll, thousands of rows, is the longest such list. On PostgreSQL an index
on ``(municipality_id, name_key COLLATE "ky-x-icu")`` would give that back, if a roll grows.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from pb import alphabet

SQLITE_COLLATION = "kyrgyz"
SQLITE_FOLD = "pb_fold"
POSTGRES_COLLATION = "ky-x-icu"


class in_kyrgyz_order(FunctionElement[str]):
    """``column COLLATE <Kyrgyz>``: sort by it."""

    type = String()
    inherit_cache = True
    name = "in_kyrgyz_order"


class folded(FunctionElement[str]):
    """``column`` lower-cased with ө, ү, ң, ё as о, у, н, е (``pb.alphabet.fold``)."""

    type = String()
    inherit_cache = True
    name = "folded"


def _argument(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = element.clauses.clauses
    assert isinstance(argument, ColumnElement)
    return str(compiler.process(argument.self_group(), **kw))


@compiles(in_kyrgyz_order, "postgresql")
def _order_postgresql(element: in_kyrgyz_order, compiler: SQLCompiler, **kw: Any) -> str:
    return f'{_argument(element, compiler, **kw)} COLLATE "{POSTGRES_COLLATION}"'


@compiles(in_kyrgyz_order, "sqlite")
def _order_sqlite(element: in_kyrgyz_order, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{_argument(element, compiler, **kw)} COLLATE {SQLITE_COLLATION}"


@compiles(in_kyrgyz_order)
def _order_other(element: in_kyrgyz_order, compiler: SQLCompiler, **kw: Any) -> str:
    return _argument(element, compiler, **kw)


@compiles(folded, "postgresql")
def _folded_postgresql(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    # lower() in the ICU collation: Cyrillic is lower-cased whatever the database's own locale
    # (in a database created with LC_CTYPE=C, plain lower() changes only ASCII letters).
    argument = _argument(element, compiler, **kw)
    return (
        f'translate(lower({argument} COLLATE "{POSTGRES_COLLATION}"), '
        f"'{alphabet.FOLD_FROM}', '{alphabet.FOLD_TO}')"
    )


@compiles(folded)
def _folded_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({_argument(element, compiler, **kw)})"


def _fold_or_null(value: object) -> str | None:
    return None if value is None else alphabet.fold(str(value))


def register(connection: sqlite3.Connection) -> None:
    """Give a new SQLite connection the Kyrgyz collation and the folding function."""
    connection.create_collation(SQLITE_COLLATION, alphabet.compare)
    connection.create_function(SQLITE_FOLD, 1, _fold_or_null, deterministic=True)
