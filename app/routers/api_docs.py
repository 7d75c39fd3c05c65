"""Interactive API documentation: Swagger UI at /docs and ReDoc at /redoc, from assets shipped
in a Python package (nothing is loaded from a CDN), started by a script file of our own so that
the pages need no inline script."""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs/assets"

# As strict as every other page for scripts (our own files, nothing inline). Both viewers
# style their elements as they draw them, and ReDoc runs its search in a worker it makes from
# a blob, which the default policy would refuse.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)


def assets() -> StaticFiles:
    """The Swagger UI and ReDoc files, to mount at ASSETS_URL."""
    return StaticFiles(directory=ASSETS)


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} · Accord API</title>
  <link rel="icon" href="data:,">
  {head}
</head>
<body>
  {body}
</body>
</html>
"""
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return _page(
        "Swagger UI",
        f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">\n'
        f'  <script src="{ASSETS_URL}/swagger-ui-bundle.js" defer></script>\n'
        '  <script src="/static/js/apidocs/swagger.js" defer></script>',
        '<div id="swagger-ui"></div>',
    )


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return _page(
        "ReDoc",
        f'<script src="{ASSETS_URL}/redoc.standalone.js" defer></script>\n'
        '  <script src="/static/js/apidocs/redoc.js" defer></script>',
        '<div id="redoc"></div>',
    )
