"""People's codes of articles, kept in the corpus: the codes, decisions on ties, the codebook in force, and
the coded labels they give.

Each coder's codes are one row per article and codebook variable (``codes``). Re-importing a coder
replaces every code of that coder, in one transaction with the codebook the sheet was read with
(:func:`replace_coder_codes`), so a half-read sheet never leaves half its codes behind. Where the coders of
an article tie, a decision (``code adjudicate``) settles it (``code_decisions``).

An article's **coded label** is the value most of its coders gave on the codebook's tendency variable (a
tie gives none, unless decided), mapped through the category's ``label`` (:meth:`Variable.label_of`):
"cannot tell" gives no label, and the outlet and author lists decide. :func:`coded_labels` is what
:attr:`corpus.store.CorpusStore.labels` layers above every other label (level ``coded``).

Only :mod:`corpus` runs SQL; the agreement and validation in :mod:`nlp.coding` read codes through here.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .backend import json_each
from .codebook import Codebook, CodingError, load_codebook
from .dates import now_utc
from .labels import Label

#: A :class:`corpus.store.CorpusStore` (not imported: the store reads its coded labels from here).
CorpusStore = Any

#: The key of the codebook in force in the ``codebooks`` table.
CURRENT = "current"


@dataclass(frozen=True)
class Code:
    """One coder's answer on one variable for one article (what a sheet row gives, with its line)."""

    article_id: str
    variable: str
    value: str
    note: str | None = None
    line: int | None = None


@dataclass
class Consensus:
    """What an article's coders said on one variable.

    Attributes
    ----------
    votes : Counter
        Coders per value.
    coders : dict of str to str
        Each coder's value.
    value : str or None
        The decision if there is one, else the value most coders gave, else ``None`` (a tie).
    decided : bool
        Whether ``value`` comes from ``code adjudicate``.
    """

    coders: dict[str, str] = field(default_factory=dict)
    decision: str | None = None
    note: str | None = None

    @property
    def votes(self) -> Counter:
        return Counter(self.coders.values())

    @property
    def majority(self) -> str | None:
        return majority(list(self.coders.values()))

    @property
    def tie(self) -> bool:
        return len(self.coders) > 0 and self.majority is None

    @property
    def value(self) -> str | None:
        return self.decision if self.decision is not None else self.majority

    @property
    def decided(self) -> bool:
        return self.decision is not None

    @property
    def agreed(self) -> bool:
        """Every coder gave the same value."""
        return len(set(self.coders.values())) == 1


def majority(values: Sequence[str]) -> str | None:
    """The value given most often; ``None`` when two values are given equally often (or none at all)."""
    ranked = Counter(values).most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


# ----------------------------------------------------------------------------- the codebook in force
def stored_codebook_text(store: CorpusStore) -> str | None:
    row = store.conn.execute("SELECT body FROM codebooks WHERE name = ?", (CURRENT,)).fetchone()
    return row[0] if row else None


def codebook_in_force(store: CorpusStore, path: Any = None) -> Codebook:
    """The codebook at ``path``, else the one stored with the corpus' codes, else the default one."""
    return load_codebook(path, stored_codebook_text(store))


def use_codebook(store: CorpusStore, codebook: Codebook) -> None:
    """Keep ``codebook`` as the one in force (``code sample --codebook``: the coders' sheets are then read
    with it); refused when stored codes do not fit it."""
    with store.transaction() as conn:
        _check_others_fit(conn, "", codebook)
        _store_codebook(conn, codebook)
    store.refresh_labels()


def _store_codebook(conn: Any, codebook: Codebook) -> None:
    conn.execute("INSERT INTO codebooks (name, body, stored_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                 "body = excluded.body, stored_at = excluded.stored_at", (CURRENT, codebook.to_toml(), now_utc()))


# ----------------------------------------------------------------------------- writing
def replace_coder_codes(store: CorpusStore, coder: str, codes: Sequence[Code], codebook: Codebook,
                        source: str | None = None) -> dict[str, int]:
    """Replace every code of ``coder`` with ``codes`` and keep ``codebook`` as the one in force, in one
    transaction (all or nothing).

    The codes must already be checked against the corpus and the codebook (:mod:`corpus.coding_sheets`
    does). The codes of the other coders must fit ``codebook`` too: a codebook that drops a variable or a
    category they used is refused, so stored codes never stop meaning something.

    Returns
    -------
    dict
        ``{"replaced": codes of this coder before, "imported": codes now}``.

    Raises
    ------
    CodingError
    """
    coder = " ".join(str(coder).split())
    if not coder:
        raise CodingError("a coder needs a name: give --coder NAME")
    now = now_utc()
    with store.transaction() as conn:
        _check_others_fit(conn, coder, codebook)
        before = conn.execute("SELECT COUNT(*) FROM codes WHERE coder = ?", (coder,)).fetchone()[0]
        conn.execute("DELETE FROM codes WHERE coder = ?", (coder,))
        conn.executemany(
            "INSERT INTO codes (article_id, coder, variable, value, note, source, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(c.article_id, coder, c.variable, c.value, c.note, source, now) for c in codes])
        _store_codebook(conn, codebook)
    store.refresh_labels()  # the coded labels changed
    return {"replaced": before, "imported": len(codes)}


def _check_others_fit(conn: Any, coder: str, codebook: Codebook) -> None:
    for variable, value, who in conn.execute(
            "SELECT DISTINCT variable, value, coder FROM codes WHERE coder != ? ORDER BY variable, value, coder", (coder,)):
        var = codebook.find(variable)
        problem = (f"has no variable {variable!r}" if var is None else
                   None if _fits(var, value) else f"has no {value!r} for {variable}")
        if problem:
            raise CodingError(f"the codebook {codebook.source or '(given)'} {problem}, which coder {who} used; keep it "
                              f"in the codebook, or import {who}'s sheet again with the new one first")


def _fits(variable: Any, value: str) -> bool:
    try:
        return variable.parse(value) == value
    except CodingError:
        return False


def remove_coder(store: CorpusStore, coder: str) -> int:
    """Delete every code of ``coder``; returns how many there were."""
    with store.transaction() as conn:
        n = conn.execute("DELETE FROM codes WHERE coder = ?", (coder,)).rowcount
    store.refresh_labels()
    return n


def set_decision(store: CorpusStore, article_id: str, variable: str, value: str, note: str | None = None) -> None:
    """Record the decision on an article's value of ``variable`` (replacing an earlier one)."""
    with store.transaction() as conn:
        conn.execute("INSERT INTO code_decisions (article_id, variable, value, note, decided_at) VALUES (?, ?, ?, ?, ?) "
                     "ON CONFLICT(article_id, variable) DO UPDATE SET value = excluded.value, note = excluded.note, "
                     "decided_at = excluded.decided_at", (article_id, variable, value, note, now_utc()))
    store.refresh_labels()


def clear_decision(store: CorpusStore, article_id: str, variable: str) -> bool:
    """Forget the decision on an article's ``variable``; False if there was none."""
    with store.transaction() as conn:
        n = conn.execute("DELETE FROM code_decisions WHERE article_id = ? AND variable = ?",
                         (article_id, variable)).rowcount
    store.refresh_labels()
    return n == 1


# ----------------------------------------------------------------------------- reading
def has_codes(store: CorpusStore) -> bool:
    return store.conn.execute("SELECT 1 FROM codes LIMIT 1").fetchone() is not None


def coders(store: CorpusStore) -> list[str]:
    """Every coder with codes, by name."""
    return [r[0] for r in store.conn.execute("SELECT DISTINCT coder FROM codes ORDER BY coder")]


def coded_ids(store: CorpusStore) -> set[str]:
    """The articles any coder has coded."""
    return {r[0] for r in store.conn.execute("SELECT DISTINCT article_id FROM codes")}


def consensus(store: CorpusStore, variable: str) -> dict[str, Consensus]:
    """Each coded article's codes and decision on ``variable``, by article id (ids in order)."""
    out: dict[str, Consensus] = {}
    for article_id, coder, value in store.conn.execute(
            "SELECT article_id, coder, value FROM codes WHERE variable = ? ORDER BY article_id, coder", (variable,)):
        out.setdefault(article_id, Consensus()).coders[coder] = value
    for article_id, value, note in store.conn.execute(
            "SELECT article_id, value, note FROM code_decisions WHERE variable = ? ORDER BY article_id", (variable,)):
        unit = out.setdefault(article_id, Consensus())
        unit.decision, unit.note = value, note
    return dict(sorted(out.items()))


def notes(store: CorpusStore, ids: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """``{article_id: {coder: note}}`` of the coders' notes (of ``ids`` only, if given)."""
    sql = "SELECT DISTINCT article_id, coder, note FROM codes WHERE note IS NOT NULL AND note != ''"
    params: tuple = ()
    if ids is not None:
        sql += f" AND article_id IN (SELECT value FROM {json_each(store.conn, '?')})"
        params = (json.dumps(list(ids)),)
    out: dict[str, dict[str, str]] = {}
    for article_id, coder, note in store.conn.execute(sql, params):
        out.setdefault(article_id, {})[coder] = note
    return out


def coded_labels(store: CorpusStore) -> dict[str, Label]:
    """The coded label of every article whose coders settle one (see :mod:`corpus.coding`), by article id.

    Empty when the corpus has no codes, or its codebook has no tendency variable.
    """
    if not has_codes(store):
        return {}
    variable = codebook_in_force(store).tendency_variable
    if variable is None:
        return {}
    out: dict[str, Label] = {}
    for article_id, unit in consensus(store, variable.name).items():
        value = unit.value
        label = variable.label_of(value) if value is not None else None
        if label is None:
            continue
        if unit.decided:
            how = "decided" + (f": {unit.note}" if unit.note else "") + f" (coders: {_votes(unit.votes)})"
        else:
            how = f"{unit.votes[value]} of {len(unit.coders)} coders"
        out[article_id] = Label(label, contested=not unit.agreed, note=f"coded {value}, {how}")
    return out


def _votes(votes: Counter) -> str:
    return ", ".join(f"{v} {n}" for v, n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])))


def coding_summary(store: CorpusStore) -> dict[str, Any] | None:
    """How much is coded: ``{"articles", "coders", "codes", "coded_labels", "ties", "variables"}`` (None when
    nothing is)."""
    if not has_codes(store):
        return None
    codebook = codebook_in_force(store)
    n_articles, n_codes = store.conn.execute("SELECT COUNT(DISTINCT article_id), COUNT(*) FROM codes").fetchone()
    variable = codebook.tendency_variable
    ties = sum(1 for u in consensus(store, variable.name).values() if u.tie and not u.decided) if variable else 0
    return {"articles": n_articles, "coders": coders(store), "codes": n_codes,
            "coded_labels": len(store.labels.coded), "ties": ties, "variables": codebook.names,
            "tendency_variable": variable.name if variable else None}
