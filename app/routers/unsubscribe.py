"""The one-click unsubscribe link of every email (RFC 8058): a page that asks, and a POST that
does it, both without signing in."""

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.deps import SessionDep
from app.errors import NotFound
from app.services import unsubscribing

router = APIRouter(include_in_schema=False)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{escape(title)} · Accord</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/static/css/public.css">
</head>
<body>
  <main class="publication unsubscribe">
    <h1>{escape(title)}</h1>
    {body}
  </main>
</body>
</html>
""",
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _refused(problem: NotFound) -> HTMLResponse:
    return _page("This link does not work", f"<p>{escape(problem.detail)}</p>", problem.status_code)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, session: SessionDep) -> HTMLResponse:
    """Asks first: mail scanners open links, and opening one must change nothing."""
    try:
        found = unsubscribing.look(session=session, token=token)
    except NotFound as problem:
        return _refused(problem)
    if found.done:
        return _page(
            "You are unsubscribed",
            f"<p>{escape(found.email)} no longer gets {escape(found.what)}.</p>",
        )
    return _page(
        "Unsubscribe",
        f"<p>Stop {escape(found.what)} to {escape(found.email)}? The notifications still "
        "appear in Accord, and you can turn them on again on your Account page.</p>"
        f'<form method="post"><button type="submit">Unsubscribe</button></form>',
    )


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(token: str, session: SessionDep) -> HTMLResponse:
    """One click, from the mail program (`List-Unsubscribe=One-Click`) or from the page."""
    try:
        found = unsubscribing.stop(session=session, token=token)
    except NotFound as problem:
        return _refused(problem)
    return _page(
        "You are unsubscribed",
        f"<p>{escape(found.email)} no longer gets {escape(found.what)}. You can turn them on "
        'again on your <a href="/account">Account page</a>.</p>',
    )
