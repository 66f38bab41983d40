"""Reading the toolkit's TOML files (labels, outlets, vocabularies, seed words) with one kind of error."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: str | Path, what: str, error: type[Exception], see: str | Path | None = None) -> dict[str, Any]:
    """Parse a TOML file; a missing or malformed file raises ``error`` with a one-line message.

    Parameters
    ----------
    path : str or Path
    what : str
        What the file is, for the message ("labels file", "outlets file").
    error : exception class
        The calling package's own error.
    see : str or Path, optional
        A file of the right shape to point the user at.
    """
    path = Path(path)
    hint = f"; see {see}" if see else ""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, IsADirectoryError):
        raise error(f"{what} {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{what} {path} is not valid TOML ({exc}){hint}") from None
