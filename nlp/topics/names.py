"""Names editors can read: topics named by words (or by the editor), terms without underscores.

A topic is named by its two most particular phrases ("open selection, trigger ballot":
:mod:`nlp.topics.phrases`), else by its first two or three label terms as words ("national executive
committee, jewish, antisemitism"), unless the editor has named it:
``topics name RUN --set 3="Rail and energy ownership"`` writes a TOML file of topic id -> name, kept in
``<db>.runs/topic_names/<run>.toml``. The file is keyed by the run's name, so it survives a refit of the same
model (same name); a ``--topic-names FILE`` given to ``run`` or ``report`` takes precedence.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from nlp.errors import InvalidParameterError

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def words(term: str) -> str:
    """A term as words: ``soft_left`` -> ``soft left``."""
    return term.replace("_", " ").strip()


def topic_name(topic: Mapping[str, Any], names: Mapping[int, str] | None = None, n: int = 3,
               phrases: Sequence[str] | None = None) -> str:
    """A topic's name: the editor's name when given; else its two most particular phrases
    (``topic["phrases"]`` or ``phrases``, :func:`nlp.topics.phrases.topic_phrases`: "deputy leadership, reform
    uk"), completed by its first label word when it has only one; else its first ``n`` label (or top) terms as
    words."""
    if names and int(topic["id"]) in names:
        return names[int(topic["id"])]
    label = topic.get("label") or ""
    terms = [t.strip() for t in label.split("·")] if "·" in label else list(topic.get("terms") or [])
    phrases = list(topic.get("phrases") or phrases or [])[:2]
    if phrases:
        taken = {w for p in phrases for w in p.split()}
        extra = [words(t) for t in terms if t and not set(words(t).split()) & taken][:2 - len(phrases)]
        return ", ".join(phrases + extra)
    return ", ".join(words(t) for t in terms[:n] if t) or f"topic {topic['id']}"


def names_path(runs_root: str | Path, run: str) -> Path:
    """Where the names of run ``run`` are kept (under the corpus' runs folder)."""
    return Path(runs_root) / "topic_names" / f"{_SAFE_NAME.sub('_', run)}.toml"


def load_topic_names(path: str | Path | None) -> dict[int, str]:
    """Topic id -> name from a TOML file of ``3 = "Rail and energy ownership"`` lines ({} when absent).

    Raises
    ------
    InvalidParameterError
        A key that is not a topic number, or a name that is not a non-empty string.
    """
    import tomllib

    if path is None or not Path(path).exists():
        return {}
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidParameterError(f"{path} is not a TOML file of topic names: {exc}", param="--topic-names")
    out = {}
    for key, value in data.items():
        if not str(key).isdigit() or not isinstance(value, str) or not value.strip():
            raise InvalidParameterError(f"{path}: {key!r} = {value!r} is not a topic number = \"name\" line",
                                        param="--topic-names")
        out[int(key)] = value.strip()
    return out


def save_topic_names(path: str | Path, names: Mapping[int, str]) -> Path:
    """Write topic id -> name as TOML (whole or not at all)."""
    import json

    from corpus.output import write_text_atomic

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Topic names for the report: topic number = \"name\"."]
    lines += [f'"{k}" = {json.dumps(v, ensure_ascii=False)}' for k, v in sorted(names.items())]
    write_text_atomic(path, "\n".join(lines) + "\n")
    return path


def parse_assignments(values: tuple[str, ...] | list[str], k: int) -> dict[int, str]:
    """``("3=Rail and energy ownership", ...)`` -> ``{3: "Rail and energy ownership"}``, topics checked
    against ``k``."""
    out = {}
    for value in values:
        key, sep, name = value.partition("=")
        key = key.strip()
        if not sep or not key.isdigit() or not name.strip():
            raise InvalidParameterError(f"{value!r} is not TOPIC=NAME (e.g. 3=\"Rail and energy ownership\")",
                                        param="--set")
        if int(key) >= k:
            raise InvalidParameterError(f"topic {key} does not exist: this model has topics 0 to {k - 1}",
                                        param="--set")
        out[int(key)] = name.strip().strip('"')
    return out
