"""Rows in and out without the ORM's bookkeeping, for the hot path of a score click.

Loading a model through the ORM and writing it through the unit of work costs several times
the statement itself in Python, all of it under the GIL the loop answering Slack needs too.
Here each statement is built once (its compiled form is then cached by the engine), a row
read comes back as a model instance made the way the ORM makes the ones it loads, only in
no session, and instances built in memory (`built`, without SQLModel's costly constructor)
are written by one INSERT that brings their ids back. Such an instance is never flushed:
a change to it is a statement of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import attributes, instrumentation
from sqlmodel import Session, SQLModel

M = TypeVar("M", bound=SQLModel)

_INSERTS: dict[str, sa.Insert] = {}


def table_of(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]  # set by table=True
    return table


def columns_of(model: type[SQLModel]) -> list[sa.Column[Any]]:
    """Every column of the model's table, in order (what `detached` takes values for)."""
    return list(table_of(model).columns)


def _new(model: type[M]) -> M:
    """A bare instance of `model`, its attributes instrumented. The ORM finishes setting up
    the mappings at its first query; a process whose first statement is one of these (a
    click straight after start-up) sets them up here."""
    _configure_mappers()
    instance: M = instrumentation.manager_of_class(model).new_instance()
    return instance


@functools.cache
def _configure_mappers() -> None:
    sa.orm.configure_mappers()


def detached(model: type[M], columns: Sequence[sa.Column[Any]], values: Sequence[Any]) -> M:
    """An instance holding a row's `values` for `columns` (a Core row, or a slice of one),
    in no session."""
    instance = _new(model)
    attributes.instance_dict(instance).update(
        zip((column.key for column in columns), values, strict=True)
    )
    return instance


def built(model: type[M], **values: Any) -> M:
    """What `model(**values)` builds (each field not given at its default, a required one
    left unset), in a fraction of the time: SQLModel's constructor sets each field through
    the ORM's instrumentation."""
    instance = _new(model)
    state = attributes.instance_dict(instance)
    for name, field in model.model_fields.items():
        if name in values:
            state[name] = values.pop(name)
        elif not field.is_required():
            state[name] = field.get_default(call_default_factory=True)
    if values:
        raise TypeError(f"{model.__name__} has no field {', '.join(values)}")
    return instance


def insert_models(*, session: Session, instances: Sequence[SQLModel]) -> None:
    """Instances of one model, built in memory, written in one statement; each gets its id.

    Every column but the id is written as the instance holds it (its defaults were applied
    when it was built)."""
    if not instances:
        return
    table = table_of(type(instances[0]))
    statement = _INSERTS.get(table.name)
    if statement is None:
        statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        _INSERTS[table.name] = statement
    keys = [column.key for column in table.columns if column.key != "id"]
    rows = [{key: getattr(instance, key) for key in keys} for instance in instances]
    ids = session.connection().execute(statement, rows).scalars().all()
    for instance, new_id in zip(instances, ids, strict=True):
        attributes.instance_dict(instance)["id"] = new_id
