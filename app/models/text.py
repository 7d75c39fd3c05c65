"""A statement's text as the API shows it: at one revision of its operation log."""

from sqlmodel import SQLModel


class TextPublic(SQLModel):
    rev: int
    text: str
