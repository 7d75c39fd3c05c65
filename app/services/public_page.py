"""The permanent public page of a publication: rendered on the server, readable without
script, printable. Every piece of text a person wrote is escaped or sanitised."""

from html import escape

from app.models.publication import PublicationPublic, Signatory


def _people(people: list[Signatory]) -> str:
    if not people:
        return '<p class="signatories">No one</p>'
    items = "".join(
        f'<li><span class="signatory-name">{escape(p.name)}</span>'
        + (
            f' <span class="signatory-org">{escape(p.organisation)}</span>'
            if p.organisation
            else ""
        )
        + "</li>"
        for p in people
    )
    return f'<ul class="signatories">{items}</ul>'


def _notices(publication: PublicationPublic) -> list[str]:
    """Which publications this one supersedes, or is superseded by."""
    base = f"/s/{escape(publication.slug)}"
    notices = []
    later = publication.superseded_by
    if later is not None:
        notices.append(
            f'<p class="notice">A later publication supersedes this one: '
            f'<a href="{base}/v/{later}">publication {later}</a>.</p>'
        )
    if publication.previous is not None:
        notices.append(
            f'<p class="notice">This publication supersedes '
            f'<a href="{base}/v/{publication.previous}">publication {publication.previous}</a>; '
            f'<a href="#changes">see what changed</a>.</p>'
        )
    return notices


def render(publication: PublicationPublic, changes_html: str | None = None) -> str:
    """The page; `changes_html` is the inline diff from the previous publication (escaped
    by the diff renderer), shown at the end."""
    date = publication.published_at.strftime("%-d %B %Y")
    notices = _notices(publication)
    abstained = (
        f"<h2>Abstained</h2>{_people(publication.abstentions)}" if publication.abstentions else ""
    )
    exports = f"/api/public/{escape(publication.slug)}/v/{publication.number}/export"
    formats = " · ".join(
        f'<a href="{exports}?format={fmt}">{label}</a>'
        for fmt, label in (
            ("md", "Markdown"),
            ("html", "HTML"),
            ("txt", "Plain text"),
            ("wikitext", "Wikitext"),
        )
    )
    changes = (
        f'<section id="changes" class="changes"><h2>What changed since publication '
        f'{publication.previous}</h2><div class="diff">{changes_html}</div></section>'
        if changes_html is not None and publication.previous is not None
        else ""
    )
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(publication.title)}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/static/css/public.css">
</head>
<body>
  <main class="publication">
    <p class="published">Published {date} · publication {publication.number}</p>
    {"".join(notices)}
    <article class="statement-text">{publication.html}</article>
    <section class="signed" aria-labelledby="signed-heading">
      <h2 id="signed-heading">Endorsed by</h2>
      {_people(publication.signatories)}
      {abstained}
    </section>
    {changes}
    <p class="downloads">Download: {formats}</p>
  </main>
</body>
</html>
"""
