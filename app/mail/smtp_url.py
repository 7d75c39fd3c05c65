"""Read the SMTP server's address from one URL, the form ACCORD_SMTP_URL takes.

    smtp://user:password@host:587   STARTTLS when the server offers it, plain otherwise
    smtps://user:password@host      TLS from the first byte (implicit TLS)

The port defaults to 25 for smtp:// (the standard relay port; a local relay or a mail
catcher listens there or says its own) and to 465 for smtps://. The user name and password
are percent-decoded, so a password holding `@`, `:` or `/` is written `%40`, `%3A`, `%2F`.
Nothing here touches the network.
"""

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class SmtpUrlError(ValueError):
    """The URL cannot name an SMTP server; the message says why in one sentence."""


class Security(StrEnum):
    starttls = "starttls"  # upgrade with STARTTLS if the server offers it, else stay plain
    tls = "tls"  # implicit TLS from the start


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to send: the parsed ACCORD_SMTP_URL."""

    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never print a password into a log
        user = f"{self.username}@" if self.username else ""
        return f"SmtpTarget({self.security.value} {user}{self.host}:{self.port})"


def parse_smtp_url(url: str) -> SmtpTarget:
    """Parse `url` into a target, or raise SmtpUrlError saying what is wrong."""
    url = url.strip()
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in DEFAULT_PORTS:
        got = f" (got {scheme!r})" if scheme else ""
        raise SmtpUrlError(f"ACCORD_SMTP_URL must start with smtp:// or smtps://{got}.")
    parts = urlsplit(url)
    if not url[len(scheme) :].startswith("://"):
        raise SmtpUrlError("ACCORD_SMTP_URL must start with smtp:// or smtps://.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SmtpUrlError("ACCORD_SMTP_URL names a server only: no path, query or fragment.")
    if not parts.hostname:
        raise SmtpUrlError("ACCORD_SMTP_URL has no host name.")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise SmtpUrlError("ACCORD_SMTP_URL has a port that is not a number from 1 to 65535.")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise SmtpUrlError("ACCORD_SMTP_URL has a password but no user name.")
    return SmtpTarget(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[scheme],
        security=Security.tls if scheme == "smtps" else Security.starttls,
        username=username,
        password=password,
    )
