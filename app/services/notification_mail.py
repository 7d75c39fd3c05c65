"""The emails notifications call for: written whole into the outbox (app/mail sends them), each
with a link straight to what it is about and a one-click link that turns its kind off."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from typing import TYPE_CHECKING

from sqlmodel import Session

from app.models.base import utcnow
from app.models.notification import Kind, Notification, OutboxMessage, Unsubscribe
from app.models.statement import Statement
from app.models.user import User
from app.security import hash_token

if TYPE_CHECKING:
    from app.services.notifications import News

UNSUBSCRIBE_DAYS = 180  # how long the link in an email works
DIGEST = "digest"  # the kind an unsubscribe link in a digest turns off: every digested kind

LABELS = {
    Kind.mention: "Someone mentions me",
    Kind.reply: "Replies in threads I take part in",
    Kind.suggestion: "Suggestions on text I wrote",
    Kind.decision: "Decisions on my suggestions",
    Kind.round_opened: "A review round opens",
    Kind.round_reminder: "Reminders while I have not responded",
    Kind.round_closed: "A review round closes",
    Kind.publication: "A version is published",
    Kind.invitation: "Invitations to a statement",
}


@dataclass(frozen=True)
class Letter:
    """One email's words: a subject, a greeting line, items (title, body, link), a footer."""

    subject: str
    lead: str
    items: list[tuple[str, str, str]]
    footer: str


def unsubscribe_link(session: Session, *, site: str, user_id: int, kind: str) -> str:
    """A new link that turns `kind` off for the person; only its hash is kept."""
    token = secrets.token_urlsafe(24)
    session.add(
        Unsubscribe(
            token_hash=hash_token(token),
            user_id=user_id,
            kind=kind,
            expires_at=utcnow() + timedelta(days=UNSUBSCRIBE_DAYS),
        )
    )
    return f"{site}/unsubscribe/{token}"


def _text(letter: Letter, unsubscribe: str) -> str:
    lines = [letter.lead, ""]
    for title, body, link in letter.items:
        lines.append(title)
        lines.extend(f"> {line}" if line else ">" for line in body.splitlines())
        lines += [link, ""]
    lines += ["-- ", letter.footer]
    if unsubscribe:
        lines.append(f"Stop these emails: {unsubscribe}")
    return "\n".join(lines) + "\n"


def _html(letter: Letter, unsubscribe: str) -> str:
    parts = [f"<p>{escape(letter.lead)}</p>"]
    for title, body, link in letter.items:
        parts.append(
            f'<h2 style="font-size:1.1em"><a href="{escape(link)}">{escape(title)}</a></h2>'
        )
        if body:
            quoted = "<br>".join(escape(line) for line in body.splitlines())
            parts.append(
                '<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:1em">'
                f"{quoted}</blockquote>"
            )
        parts.append(f'<p><a href="{escape(link)}">Open it in Accord</a></p>')
    footer = escape(letter.footer)
    if unsubscribe:
        footer += f' <a href="{escape(unsubscribe)}">Stop these emails</a>.'
    parts.append(f'<hr><p style="color:#555;font-size:0.9em">{footer}</p>')
    body = "\n".join(parts)
    return f'<!doctype html>\n<html><body style="font-family:sans-serif">\n{body}\n</body></html>\n'


def write(session: Session, *, to: str, letter: Letter, unsubscribe: str = "") -> None:
    """Put the email in the outbox, in the caller's transaction."""
    session.add(
        OutboxMessage(
            to_address=to,
            subject=letter.subject[:400],
            text_body=_text(letter, unsubscribe),
            html_body=_html(letter, unsubscribe),
            unsubscribe_url=unsubscribe,
        )
    )


def subject(statement: Statement | None, title: str) -> str:
    return f"{statement.title}: {title}" if statement is not None else title


def queue(
    session: Session, *, site: str, person: User, notification: Notification, news: "News"
) -> None:
    """The email of one notification, to send at once."""
    link = unsubscribe_link(session, site=site, user_id=person.id, kind=news.kind.value)
    letter = Letter(
        subject=subject(news.statement, news.title),
        lead=f"Hello {person.name},",
        items=[(news.title, notification.body, site + news.path)],
        footer=(
            f"You get this email for: {LABELS[news.kind].lower()}. Choose how Accord tells "
            f"you at {site}/account."
        ),
    )
    write(session, to=person.email, letter=letter, unsubscribe=link)


def digest(
    session: Session, *, person: User, notifications: list[Notification], titles: dict[int, str]
) -> None:
    """One email with everything the person chose to have in their daily digest; `titles`
    are the statements' titles by id."""
    site = notifications[-1].base_url
    link = unsubscribe_link(session, site=site, user_id=person.id, kind=DIGEST)
    items = []
    for note in notifications:
        where = titles.get(note.statement_id or 0)
        items.append(
            (f"{where}: {note.title}" if where else note.title, note.body, site + note.path)
        )
    count = len(notifications)
    letter = Letter(
        subject=f"Accord: your daily digest ({count} {'update' if count == 1 else 'updates'})",
        lead=f"Hello {person.name}, here is what happened since your last digest.",
        items=items,
        footer=f"You chose a daily digest for these. Choose how Accord tells you: {site}/account",
    )
    write(session, to=person.email, letter=letter, unsubscribe=link)
