"""Loading content files (content/*.toml): figures, rules and texts kept as data, not code."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = PROJECT_ROOT / "content"


class ContentError(ValueError):
    """A content file is missing or invalid; the message names the file and the problem."""


def load_toml(name: str | Path, directory: Path = CONTENT_DIR) -> dict[str, Any]:
    path = name if isinstance(name, Path) else directory / name
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ContentError(f"content file missing: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"content file {path} is not valid TOML: {exc}") from None
