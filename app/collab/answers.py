"""How the live core's refusals reach the outside: one table of HTTP statuses, and the close
code of a socket is 4000 plus the status (the private range, mirroring the HTTP answers).

A whole-text save or a restore that the room refuses is answered with the status; a socket
refused or ended is closed with the code.
"""

from app.collab.refusals import (
    AccessEnded,
    NoLongerMember,
    NotPermitted,
    NotSaved,
    Outdated,
    Refusal,
    SectionLocked,
    SignedOut,
    StaleRevision,
    TooLarge,
)
from app.errors import AccordError

# Looked up along each class's ancestors, so a refusal not named gets its parent's status.
STATUSES: dict[type[Exception], int] = {
    Refusal: 422,
    StaleRevision: 409,
    Outdated: 409,
    SectionLocked: 409,
    TooLarge: 413,
    NotSaved: 503,
    NotPermitted: 403,
    AccessEnded: 401,
    NoLongerMember: 404,
}
CLOSE_REASONS: dict[type[AccessEnded], str] = {
    SignedOut: "Signed out: sign in again.",
    NoLongerMember: "You are no longer a member.",
}


def status_of(problem: Exception) -> int:
    """The HTTP status of a refusal, or of an API error."""
    if isinstance(problem, AccordError):
        return problem.status_code
    for kind in type(problem).__mro__:
        if kind in STATUSES:
            return STATUSES[kind]
    raise LookupError(f"no status for {type(problem).__name__}")


def close_code(problem: Exception) -> int:
    """The code a socket closes with for this refusal."""
    return 4000 + status_of(problem)


def close_reason(ended: AccessEnded) -> str:
    return CLOSE_REASONS.get(type(ended), str(ended))


def http_error(refusal: Refusal) -> AccordError:
    """The refusal as an API answer with its status and a JSON `detail`."""
    error = AccordError(str(refusal))
    error.status_code = status_of(refusal)
    return error
