"""The interactive API documentation: served from packaged assets, with no inline script."""

import re

import pytest
from fastapi.testclient import TestClient


def _script_policy(csp: str) -> str:
    return next(part for part in csp.split(";") if part.strip().startswith("script-src"))


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_read_api_docs_page(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = _script_policy(page.headers["content-security-policy"])
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, flags=re.S)
    assert scripts, "the page starts its viewer from a script file"
    for attributes, body in scripts:
        assert 'src="/' in attributes, "every script is a file of this server's"
        assert not body.strip(), "no inline script"
    for source in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        if source.startswith("data:"):
            continue
        assert source.startswith("/"), f"{source} would load from elsewhere"
        assert client.get(source).status_code == 200, source
