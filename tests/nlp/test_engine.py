"""The run engine: typed results written as JSON and arrays and read back as themselves; stages keyed by their
inputs, reused from the store only when every input and checksum matches."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from corpus import CorpusStore
from nlp.documents import DocumentTerms
from nlp.engine import ResultCache, Runtime, Skipped, Stage, documents_key, run_stages
from nlp.errors import NlpError
from nlp.results import Result, ResultFormatError, decode, encode, optional_key, pack, unpack
from nlp.tendencies.contrast import ContrastResult, TermScore


@dataclass(frozen=True)
class Inner(Result):
    name: str
    weights: np.ndarray


@dataclass(frozen=True)
class Outer(Result):
    inners: list[Inner]
    by_pair: dict[tuple[str, str], float]
    counts: dict[int, int]
    span: tuple[int, int]
    maybe: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _outer() -> Outer:
    return Outer(inners=[Inner("a", np.arange(3.0)), Inner("b", np.eye(2))], by_pair={("x", "y"): 0.5},
                 counts={3: 1, 10: 2}, span=(2016, 2025), maybe=None,
                 extra={"nested": {"list": [1, 2.5, "s", None]}, "nan": float("nan")})


def test_a_result_comes_back_as_itself():
    value = _outer()
    text, files = pack(value)
    assert len(files) == 2 and all(name.endswith(".npy") for name in files)
    back = unpack(Outer, text, files)
    assert isinstance(back.inners[0], Inner) and back.inners[1].name == "b"
    np.testing.assert_array_equal(back.inners[1].weights, np.eye(2))
    assert back.by_pair == {("x", "y"): 0.5} and back.counts == {3: 1, 10: 2} and back.span == (2016, 2025)
    assert back.maybe is None and back.extra["nested"] == {"list": [1, 2.5, "s", None]}
    assert np.isnan(back.extra["nan"])


def test_to_dict_is_plain_json_and_from_dict_reads_it():
    value = _outer()
    data = json.loads(json.dumps(value.to_dict()))
    assert data["inners"][1]["weights"] == [[1.0, 0.0], [0.0, 1.0]]
    back = Outer.from_dict(data)
    np.testing.assert_array_equal(back.inners[0].weights, np.arange(3.0))
    assert back.counts == {3: 1, 10: 2}


def test_nested_analysis_results_round_trip():
    r = ContrastResult(a="soft_left", b="hard_left", field="tendency",
                       terms_a=[TermScore("power", 4.6, 67, 15, 0.3, 40, 0.9)], terms_b=[], docs_a=40, docs_b=38,
                       total_a=1000, total_b=900, overlap=0, params={"top": 15})
    value, arrays = encode(r)
    back = decode(ContrastResult, json.loads(json.dumps(value)), arrays)
    assert back == r and isinstance(back.terms_a[0], TermScore)


@dataclass(frozen=True, kw_only=True)
class Sometimes(Result):
    first: int
    interval: tuple[float, float] | None = optional_key()
    always: str | None = None
    last: list[int] = field(default_factory=list)


def test_an_optional_key_is_left_out_when_none_and_reads_back():
    bare, full = Sometimes(first=1), Sometimes(first=1, interval=(0.5, 0.75), always="x", last=[2])
    assert bare.to_dict() == {"first": 1, "always": None, "last": []}  # always: None, but its key is kept
    assert list(full.to_dict()) == ["first", "interval", "always", "last"]  # the fields' order
    for value in (bare, full):
        assert Sometimes.from_dict(json.loads(json.dumps(value.to_dict()))) == value
        assert unpack(Sometimes, *pack(value)) == value


def test_a_tampered_or_foreign_result_is_refused():
    text, files = pack(_outer())
    name = next(iter(files))
    bad = {**files, name: files[name][:-1] + bytes([files[name][-1] ^ 1])}
    with pytest.raises(ResultFormatError, match="does not match its checksum"):
        unpack(Outer, text, bad)
    with pytest.raises(ResultFormatError, match="not a tests"):
        unpack(Inner, text, files)
    with pytest.raises(ResultFormatError, match="format"):
        unpack(Outer, json.dumps({"format": "pickle"}), files)
    with pytest.raises(ResultFormatError, match="not JSON"):
        unpack(Outer, text[:40], files)


def test_only_plain_data_is_written():
    """An object array or any other object is refused, never pickled."""
    with pytest.raises(TypeError, match="cannot be written as a result"):
        pack(Inner("x", np.array([object()], dtype=object)))
    assert pack(Inner("x", np.array(["a", "b"], dtype=object)))[1] == {}  # strings: plain JSON


# ------------------------------------------------------------------------------------------- the engine
@dataclass(frozen=True)
class Count(Result):
    n: int
    total: float


@dataclass(frozen=True)
class CountParams:
    scale: float = 1.0


def _docs(extra: int = 0) -> DocumentTerms:
    return DocumentTerms.from_terms([["a", "b"], ["b"], ["c"] * (1 + extra)], labels=["x", "y", "x"])


CALLS: list[str] = []


def _count(docs, params, runtime):
    CALLS.append("count")
    return Count(len(docs), params.scale * len(docs.tokens))


def _double(docs, params, runtime, count):
    CALLS.append("double")
    return Count(count.n, 2 * count.total)


def _fails(docs, params, runtime):
    CALLS.append("fails")
    raise NlpError("too few articles")


def _after_failure(docs, params, runtime, fails):
    raise AssertionError("a stage whose input did not run must not run")


GRAPH = [Stage("count", "counting", _count, Count), Stage("double", "doubling", _double, Count, upstream=("count",)),
         Stage("fails", "failing", _fails, Count),
         Stage("after", "after the failure", _after_failure, Count, upstream=("fails",))]


@pytest.fixture
def cache(tmp_path):
    store = CorpusStore(tmp_path / "c.db")
    yield ResultCache(store)
    store.close()


def test_stages_run_in_order_and_are_reused_by_key(cache):
    CALLS.clear()
    params = {"count": CountParams(2.0), "double": None}
    first = run_stages(GRAPH, _docs(), params, Runtime(), cache=cache)
    assert first.results["double"] == Count(3, 16.0) and CALLS == ["count", "double", "fails"]
    assert first.skipped == {"fails": "too few articles",
                             "after": "needs fails, which did not run (fails: too few articles)"}
    CALLS.clear()
    again = run_stages(GRAPH, _docs(), params, Runtime(), cache=cache)
    assert CALLS == [] and again.reused == ["count", "double", "fails"] and again.keys == first.keys
    assert again.results == first.results and again.skipped == first.skipped
    # another parameter: that stage and what depends on it
    CALLS.clear()
    other = run_stages(GRAPH, _docs(), {**params, "count": CountParams(3.0)}, Runtime(), cache=cache)
    assert CALLS == ["count", "double"] and other.keys["fails"] == first.keys["fails"]
    # other documents: everything
    CALLS.clear()
    run_stages(GRAPH, _docs(extra=1), params, Runtime(), cache=cache)
    assert CALLS == ["count", "double", "fails"]


def test_parameters_may_follow_from_upstream_results(cache):
    seen = []

    def params(upstream):
        seen.append(upstream["count"].n)
        return CountParams(upstream["count"].n)

    out = run_stages(GRAPH[:2], _docs(), {"count": CountParams(), "double": params}, Runtime(), cache=cache)
    assert seen == [3] and out.params["double"] == CountParams(3)


def test_a_given_result_stands_for_its_stage_and_keys_what_follows(cache):
    CALLS.clear()
    out = run_stages(GRAPH[:2], _docs(), {"count": CountParams()}, Runtime(), cache=cache,
                     given={"count": ("stored-1", Count(7, 1.0))})
    assert CALLS == ["double"] and out.results["double"] == Count(7, 2.0) and out.reused == ["count"]
    other = run_stages(GRAPH[:2], _docs(), {"count": CountParams()}, Runtime(), cache=cache,
                       given={"count": ("stored-2", Count(7, 1.0))})
    assert other.keys["double"] != out.keys["double"]


def test_a_stored_result_that_cannot_be_read_is_computed_again(cache, caplog):
    run_stages(GRAPH[:1], _docs(), {"count": CountParams()}, Runtime(), cache=cache)
    cache.store.conn.execute("UPDATE stage_result_files SET data = X'00'")
    cache.store.conn.execute("UPDATE stage_results SET record = replace(record, 'Count', 'Gone')")
    CALLS.clear()
    out = run_stages(GRAPH[:1], _docs(), {"count": CountParams()}, Runtime(), cache=cache)
    assert CALLS == ["count"] and out.computed == ["count"] and "not used" in caplog.text


def test_the_documents_key_covers_every_column():
    docs = _docs()
    key = documents_key(docs)
    relabelled = DocumentTerms.from_terms([["a", "b"], ["b"], ["c"]], labels=["x", "x", "x"])
    assert documents_key(relabelled) != key
    assert documents_key(_docs()) == key  # equal data, equal key, whatever the object


def test_a_circle_or_an_unknown_stage_is_refused():
    a = Stage("a", "a", _count, Count, upstream=("b",))
    b = Stage("b", "b", _count, Count, upstream=("a",))
    with pytest.raises(ValueError, match="circle"):
        run_stages([a, b], _docs(), {})
    with pytest.raises(ValueError, match="not in the graph"):
        run_stages([a], _docs(), {})


def test_skipped_is_a_result_too():
    assert unpack(Skipped, *pack(Skipped("why"))) == Skipped("why")
