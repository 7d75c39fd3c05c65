"""Where the words of accepted suggestions stand in a text, and who accepted them: the part
of authorship that the op log alone does not tell (it names the suggester as the writer)."""

from sqlmodel import Session, col, select

from app.collab import log, positions
from app.models.history import AcceptedWords
from app.models.suggestion import Suggestion, SuggestionStatus
from app.models.user import User


def accepted_words(*, session: Session, statement_id: int, rev: int) -> list[AcceptedWords]:
    """Each accepted suggestion's words that still stand in the text at `rev`, carried from
    the revision that applied them as comment passages are."""
    found = session.exec(
        select(Suggestion).where(
            Suggestion.statement_id == statement_id,
            Suggestion.status == SuggestionStatus.accepted,
            col(Suggestion.applied_rev) <= rev,
            col(Suggestion.end) > col(Suggestion.start),
        )
    ).all()
    if not found:
        return []
    ranges = {s.id: (s.applied_rev or 0, s.start, s.end) for s in found}
    low = min(applied for applied, _, _ in ranges.values())
    for change in log.ops_between(session=session, statement_id=statement_id, after=low, upto=rev):
        for key, (applied, start, end) in ranges.items():
            if change.rev > applied:
                start, end = positions.transform_range(start, end, change.op)
                ranges[key] = (applied, start, end)
    deciders = {s.decided_by for s in found if s.decided_by is not None}
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(deciders))).all())
    return [
        AcceptedWords(
            suggestion=s.id,
            start=ranges[s.id][1],
            end=ranges[s.id][2],
            accepted_by=names.get(s.decided_by) if s.decided_by else None,
        )
        for s in found
        if ranges[s.id][2] > ranges[s.id][1]
    ]
