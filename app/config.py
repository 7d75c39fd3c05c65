"""Settings, read once from the environment (prefix ACCORD_) and checked at start-up."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator may configure; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_", env_file=None, extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    public_url: str = ""
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    session_days: int = Field(default=14, ge=1, le=365)
    invitation_days: int = Field(default=14, ge=1, le=365)
    sign_in_max_failures: int = Field(default=10, ge=1)
    sign_in_window_seconds: int = Field(default=900, ge=1)
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_text_bytes: int = Field(default=1024 * 1024, ge=1)
    max_frame_bytes: int = Field(default=256 * 1024, ge=1024)
    max_frames_per_second: float = Field(default=50, gt=0)
    max_sockets_per_user: int = Field(default=20, ge=1)
    ping_seconds: float = Field(default=15, gt=0)
    ws_deflate: bool = False
    max_title_chars: int = Field(default=200, ge=1)
    max_context_chars: int = Field(default=20_000, ge=1)
    max_comment_chars: int = Field(default=10_000, ge=1)
    max_concurrent_requests: int = Field(default=24, ge=1, le=1000)
    queue_wait_seconds: float = Field(default=30, gt=0, le=3600)
    smtp_url: str = ""
    mail_from: str = ""
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _check_database_url(self) -> "Settings":
        url = self.database_url
        if url and not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError(
                "ACCORD_DATABASE_URL must start with sqlite:// or postgresql:// "
                f"(got {url.split(':', 1)[0]!r})"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the SQLite file in the data folder."""
        if not self.database_url:
            return f"sqlite:///{(self.data_dir / 'accord.sqlite3').as_posix()}"
        if self.database_url.startswith("postgresql://"):
            return "postgresql+psycopg://" + self.database_url.removeprefix("postgresql://")
        return self.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite:")


@lru_cache
def get_settings() -> Settings:
    """Read the settings once per process."""
    return Settings()
