"""Why the live core refuses a change or a member: domain errors, with the code an `error`
frame names. They carry no HTTP status nor close code: app/collab/answers.py maps them."""


class Refusal(Exception):
    """A change the room did not apply; `code` names why, the message says it to a person."""

    code = "refused"


class StaleRevision(Refusal):
    """The change was made on a revision that does not exist yet."""

    code = "future_revision"


class StaleSeq(Refusal):
    """The sender already sent a later change: this one was handled before."""

    code = "stale_seq"


class InvalidChange(Refusal):
    """The operation does not fit the text it was made on."""

    code = "invalid_operation"


class InvalidText(Refusal):
    """The change holds text Accord cannot keep."""

    code = "invalid_text"


class TooLarge(Refusal):
    """The text would be over the limit."""

    code = "too_large"


class Outdated(Refusal):
    """Characters the change was made to replace were changed first: it was not applied."""

    code = "outdated"


class SectionLocked(Refusal):
    """The change would alter a section a facilitator locked as agreed."""

    code = "section_locked"


class NotPermitted(Refusal):
    """The member's role may read the statement but not change it."""

    code = "forbidden"


class NotSaved(Refusal):
    """The change could not be made durable; its sender sends it again."""

    code = "not_saved"


class ClientIdTaken(Refusal):
    """A member came with a client id that another person's changes carry."""

    code = "client_id_taken"


class AccessEnded(Exception):
    """A member's sign-in or membership ended: its sockets close."""


class SignedOut(AccessEnded):
    """The session or token ended, or the account was disabled."""


class NoLongerMember(AccessEnded):
    """The person is no longer a member of the statement."""
