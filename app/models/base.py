"""What every table shares: constraint names Alembic can diff, and UTC timestamps."""

from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel._compat import SQLModelConfig

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The largest integer every supported database keeps (PostgreSQL's integer): no id, number or
# revision goes past it, so a request naming a larger one is refused before any query.
MAX_INT = 2**31 - 1

# Request bodies reject fields they do not know, so nobody sets what they may not.
STRICT_BODY = SQLModelConfig(extra="forbid")


def strip_text(value: object) -> object:
    """Trim a one-line field (a name, a label); never used on the statement's text."""
    return value.strip() if isinstance(value, str) else value


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC (SQLite keeps no zone) and always hand back aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


T = TypeVar("T")


class Listing(BaseModel, Generic[T]):
    """Every list the API answers: the items and how many there are."""

    data: list[T]
    count: int

    @classmethod
    def of(cls, items: list[T]) -> "Listing[T]":
        return cls(data=items, count=len(items))
