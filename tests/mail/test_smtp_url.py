"""ACCORD_SMTP_URL and ACCORD_MAIL_FROM: read once, and a bad value stops Accord with a reason."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from pydantic import ValidationError

from app import commands
from app.config import Settings
from app.errors import describe_validation_errors
from app.mail.smtp_url import Security, SmtpTarget, SmtpUrlError, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "target"),
    [
        (
            "smtp://user:password@mail.example.org:587",
            SmtpTarget("mail.example.org", 587, Security.starttls, "user", "password"),
        ),
        ("smtp://mailpit:1025", SmtpTarget("mailpit", 1025, Security.starttls)),
        ("smtp://relay.example.org", SmtpTarget("relay.example.org", 25, Security.starttls)),
        ("SMTPS://mail.example.org", SmtpTarget("mail.example.org", 465, Security.tls)),
        (
            "smtps://accord%40example.org:p%40ss%3Aw%2Frd@mail.example.org:2465",
            SmtpTarget("mail.example.org", 2465, Security.tls, "accord@example.org", "p@ss:w/rd"),
        ),
        ("smtp://[::1]:2525/", SmtpTarget("::1", 2525, Security.starttls)),
    ],
)
def test_parse_smtp_url(url: str, target: SmtpTarget) -> None:
    assert parse_smtp_url(url) == target


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://mail.example.org", "must start with smtp:// or smtps:// (got 'http')"),
        ("mail.example.org:587", "must start with smtp:// or smtps://"),
        ("smtp:mail.example.org", "must start with smtp:// or smtps://"),
        ("smtp://", "has no host name"),
        ("smtp://user:password@:587", "has no host name"),
        ("smtp://mail.example.org:submission", "port that is not a number from 1 to 65535"),
        ("smtp://mail.example.org:70000", "port that is not a number from 1 to 65535"),
        ("smtp://mail.example.org:0", "port that is not a number from 1 to 65535"),
        ("smtp://:secret@mail.example.org", "has a password but no user name"),
        ("smtp://mail.example.org/inbox", "no path, query or fragment"),
    ],
)
def test_parse_smtp_url_refuses_bad_urls(url: str, reason: str) -> None:
    with pytest.raises(SmtpUrlError, match="ACCORD_SMTP_URL") as refused:
        parse_smtp_url(url)
    assert reason in str(refused.value)


def test_a_target_never_shows_its_password() -> None:
    target = parse_smtp_url("smtp://ann:hunter2@mail.example.org")
    assert "hunter2" not in repr(target)
    assert "ann@mail.example.org:25" in repr(target)


def test_settings_say_whether_mail_is_on() -> None:
    assert Settings().smtp is None
    assert Settings(smtp_url="  ").smtp is None
    on = Settings(smtp_url="smtps://mail.example.org")
    assert on.smtp == SmtpTarget("mail.example.org", 465, Security.tls)


def test_settings_refuse_a_bad_smtp_url_in_one_sentence() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(smtp_url="smtp://mail.example.org:port")
    assert describe_validation_errors(refused.value.errors()) == (
        "ACCORD_SMTP_URL has a port that is not a number from 1 to 65535."
    )


def test_mail_from_defaults_to_the_public_host() -> None:
    assert Settings().effective_mail_from == "Accord <accord@localhost>"
    public = Settings(public_url="https://accord.example.org/")
    assert public.effective_mail_from == "Accord <accord@accord.example.org>"
    chosen = Settings(public_url="https://a.example.org", mail_from="Board <board@example.org>")
    assert chosen.effective_mail_from == "Board <board@example.org>"
    with pytest.raises(ValidationError, match="ACCORD_MAIL_FROM must be an email address"):
        Settings(mail_from="Board")


def test_serve_refuses_to_start_with_a_bad_smtp_url(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ACCORD_DATA_DIR": str(tmp_path),
        "ACCORD_SMTP_URL": "smtps://user:secret@mail.example.org:99999",
    }
    env.pop("ACCORD_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "accord: bad configuration: "
        "ACCORD_SMTP_URL has a port that is not a number from 1 to 65535."
    )
    assert "secret" not in result.stderr
    assert not (tmp_path / "accord.sqlite3").exists()  # refused before touching anything


def _serve_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings
) -> str:
    # Everything `accord serve` does but listen.
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    args = argparse.Namespace(host=None, port=None, workers=None, reload=False)
    commands.cmd_serve(args, settings)
    return capsys.readouterr().out


def test_serve_says_once_that_mail_is_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    off = _serve_output(monkeypatch, capsys, Settings(data_dir=tmp_path))
    assert off.count("Mail is off: set ACCORD_SMTP_URL") == 1
    on = Settings(data_dir=tmp_path, smtp_url="smtp://127.0.0.1:1025")
    assert "Mail is off" not in _serve_output(monkeypatch, capsys, on)


def test_demo_says_how_to_read_its_mail(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    args = argparse.Namespace(host=None, port=None, no_serve=False)
    commands.cmd_demo(args, Settings(data_dir=tmp_path))
    out = capsys.readouterr().out
    assert out.count("Mail is off") == 1
    assert "ACCORD_SMTP_URL=smtp://127.0.0.1:1025" in out
