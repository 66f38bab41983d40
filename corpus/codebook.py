"""The codebook: what human coders record about each article, and how their answers are read.

A codebook is a TOML file the researcher edits (the shipped one is ``corpus/default_codebook.toml``): a list
of variables, each a question with its level of measurement (nominal, ordinal, interval) and, for a
categorical variable, its categories in order. One variable may be marked ``tendency = true``: its coders'
majority becomes the article's tendency label (level ``coded``, see :mod:`corpus.coding`).

The codebook turns a coder's cell or Label Studio choice into a stored value (:meth:`Variable.parse`),
names the coding columns of a sheet, and writes the Label Studio labelling config of a sample
(:meth:`Codebook.label_studio_config`).
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from xml.sax.saxutils import quoteattr

from .errors import CorpusError
from .tomlfile import read_toml

DEFAULT_CODEBOOK_FILE = Path(__file__).with_name("default_codebook.toml")
LEVELS = ("nominal", "ordinal", "interval")
#: Columns of a coding sheet that are not variables (read back only for ``id`` and ``notes``).
SHEET_COLUMNS = ("id", "title", "outlet", "published", "url", "text", "notes")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class CodingError(CorpusError):
    """A codebook, a coding sheet or a coding request that cannot be used (the message says how to fix it)."""


@dataclass(frozen=True)
class Category:
    """One answer of a categorical variable.

    Attributes
    ----------
    value : str
        What is stored (``soft_left``).
    name : str
        What coders see (``Soft left``).
    description : str
    label : str or None
        The tendency label the category gives an article (for the tendency variable): the value itself by
        default, another label, or ``None`` for no label (the outlet and author lists then decide).
    """

    value: str
    name: str
    description: str = ""
    label: str | None = None


@dataclass(frozen=True)
class Variable:
    """One thing a coder records about an article."""

    name: str
    question: str
    level: str = "nominal"
    categories: tuple[Category, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    tendency: bool = False
    instructions: str = ""

    @property
    def numeric(self) -> bool:
        """Whether the values are numbers (an interval variable, or an ordinal one without categories)."""
        return not self.categories

    @property
    def values(self) -> list[str]:
        """The category values, in order (empty for a numeric variable)."""
        return [c.value for c in self.categories]

    def category(self, value: str) -> Category | None:
        return next((c for c in self.categories if c.value == value), None)

    def parse(self, raw: Any) -> str | None:
        """A coder's answer as the stored value: a category's value, or a number as text.

        Categories match their value or their display name, in any case, with spaces, hyphens and
        underscores alike ("Soft left", "soft-left" and "soft_left" are one answer). Empty answers are
        ``None`` (not coded).

        Raises
        ------
        CodingError
            The answer is not a category of the variable, not a number, or out of its range (the message
            names the known categories or the range).
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if self.categories:
            key = _fold(str(raw))
            for c in self.categories:
                if key in (_fold(c.value), _fold(c.name)):
                    return c.value
            raise CodingError(f"unknown category {str(raw).strip()!r} for {self.name} "
                              f"(known: {', '.join(self.values)})")
        text = str(raw).strip().lstrip("'")  # a leading ' is what a safe CSV writer put before a minus sign
        try:
            number = float(text)
        except ValueError:
            raise CodingError(f"{self.name} must be a number, not {str(raw).strip()!r}") from None
        if not math.isfinite(number):
            raise CodingError(f"{self.name} must be a finite number, not {text!r}")
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            raise CodingError(f"{self.name} must lie between {_num(self.minimum)} and {_num(self.maximum)}, "
                              f"not {text}")
        return _num(number)

    def label_of(self, value: str) -> str | None:
        """The tendency label a stored value gives an article (``None``: no label)."""
        c = self.category(value)
        return value if c is None else c.label


@dataclass(frozen=True)
class Codebook:
    """Variables to code, in order, with the general instructions; see :mod:`corpus.codebook`."""

    variables: tuple[Variable, ...]
    name: str = "codebook"
    instructions: str = ""
    source: str = field(default="", compare=False)
    text: str = field(default="", compare=False, repr=False)

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> "Codebook":
        data = read_toml(path, "codebook", CodingError, see=DEFAULT_CODEBOOK_FILE)
        return cls.from_mapping(data, origin=str(path), text=Path(path).read_text(encoding="utf-8"))

    @classmethod
    def from_text(cls, text: str, origin: str = "stored codebook") -> "Codebook":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CodingError(f"{origin} is not valid TOML ({exc}); see {DEFAULT_CODEBOOK_FILE}") from None
        return cls.from_mapping(data, origin=origin, text=text)

    @classmethod
    def default(cls) -> "Codebook":
        return cls.from_toml(DEFAULT_CODEBOOK_FILE)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], origin: str = "codebook", text: str = "") -> "Codebook":
        """Check and build a codebook from parsed TOML; every problem is a :class:`CodingError` naming it."""
        unknown = set(data) - {"name", "instructions", "variables"}
        if unknown:
            raise CodingError(f"{origin}: unknown key(s) {', '.join(sorted(unknown))}; use name, instructions "
                              "and [[variables]]")
        raw = data.get("variables")
        if not isinstance(raw, list) or not raw:
            raise CodingError(f"{origin}: no [[variables]]; a codebook needs at least one (see {DEFAULT_CODEBOOK_FILE})")
        variables = tuple(_variable(v, f"{origin}: variables[{i}]") for i, v in enumerate(raw))
        names = [v.name for v in variables]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise CodingError(f"{origin}: variable(s) {', '.join(repeated)} defined twice")
        if sum(v.tendency for v in variables) > 1:
            raise CodingError(f"{origin}: more than one variable has tendency = true; mark only the one whose "
                              "majority becomes the article's label")
        return cls(variables, name=str(data.get("name") or "codebook"), instructions=str(data.get("instructions") or ""),
                   source=origin, text=text)

    # -- reading ------------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def variable(self, name: str) -> Variable:
        """The variable called ``name``; a :class:`CodingError` naming the known ones otherwise."""
        for v in self.variables:
            if v.name == name:
                return v
        raise CodingError(f"unknown variable {name!r}; the codebook's variables: {', '.join(self.names)}")

    def find(self, name: str) -> Variable | None:
        """The variable whose name matches ``name`` in any case (a sheet's column), or None."""
        key = name.strip().casefold()
        return next((v for v in self.variables if v.name == key), None)

    @property
    def tendency_variable(self) -> Variable | None:
        """The variable whose majority becomes the article's label, if any."""
        return next((v for v in self.variables if v.tendency), None)

    def to_toml(self) -> str:
        """The codebook as TOML (its own text when it was read from one)."""
        if self.text:
            return self.text
        lines = [f"name = {_toml_str(self.name)}", f"instructions = {_toml_str(self.instructions)}"]
        for v in self.variables:
            lines += ["", "[[variables]]", f"name = {_toml_str(v.name)}", f"question = {_toml_str(v.question)}",
                      f"level = {_toml_str(v.level)}"]
            if v.tendency:
                lines.append("tendency = true")
            if v.instructions:
                lines.append(f"instructions = {_toml_str(v.instructions)}")
            for key, bound in (("min", v.minimum), ("max", v.maximum)):
                if bound is not None:
                    lines.append(f"{key} = {_num(bound)}")
            if v.categories:
                lines.append("categories = [")
                for c in v.categories:
                    label = "" if c.label == c.value else (", label = false" if c.label is None
                                                           else f", label = {_toml_str(c.label)}")
                    lines.append(f"    {{ value = {_toml_str(c.value)}, name = {_toml_str(c.name)}{label}, "
                                 f"description = {_toml_str(c.description)} }},")
                lines.append("]")
        return "\n".join(lines) + "\n"

    def label_studio_config(self, text_field: str = "text") -> str:
        """The Label Studio labelling config (XML) for tasks written by :func:`corpus.coding_sheets.write_tasks`.

        A categorical variable is a ``Choices`` control named after it (each ``Choice`` shows the category's
        name and exports its value through ``alias``); a numeric one is a ``Number`` control with its range.
        A ``TextArea`` named ``notes`` takes the coder's remarks.
        """
        parts = ["<View>", f"  <Header value={quoteattr('$title')}/>",
                 f"  <Text name=\"text\" value={quoteattr('$' + text_field)}/>"]
        for v in self.variables:
            parts.append(f"  <Header value={quoteattr(v.question)} size=\"5\"/>")
            if v.instructions:
                parts.append(f"  <Header value={quoteattr(' '.join(v.instructions.split()))} size=\"6\"/>")
            if v.categories:
                parts.append(f"  <Choices name={quoteattr(v.name)} toName=\"text\" choice=\"single\" showInline=\"false\">")
                for c in v.categories:
                    hint = f" hint={quoteattr(c.description)}" if c.description else ""
                    parts.append(f"    <Choice value={quoteattr(c.name)} alias={quoteattr(c.value)}{hint}/>")
                parts.append("  </Choices>")
            else:
                bounds = "".join(f" {k}={quoteattr(_num(b))}" for k, b in (("min", v.minimum), ("max", v.maximum))
                                 if b is not None)
                parts.append(f"  <Number name={quoteattr(v.name)} toName=\"text\"{bounds}/>")
        parts += ["  <TextArea name=\"notes\" toName=\"text\" placeholder=\"Notes (optional)\" rows=\"2\"/>", "</View>"]
        return "\n".join(parts) + "\n"


def load_codebook(path: str | Path | None = None, stored: str | None = None) -> Codebook:
    """The codebook in force: the file at ``path``, else the corpus' stored text, else the default one."""
    if path is not None:
        return Codebook.from_toml(path)
    if stored:
        return Codebook.from_text(stored)
    return Codebook.default()


def _variable(raw: Any, where: str) -> Variable:
    if not isinstance(raw, Mapping):
        raise CodingError(f"{where}: expected a table ([[variables]] with name, question, level)")
    unknown = set(raw) - {"name", "question", "level", "categories", "min", "max", "tendency", "instructions"}
    if unknown:
        raise CodingError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use name, question, level, "
                          "categories, min, max, tendency, instructions")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name) or name in SHEET_COLUMNS:
        raise CodingError(f"{where}: name must be a lower-case word (letters, digits, _) other than "
                          f"{', '.join(SHEET_COLUMNS)}, not {name!r}")
    where = f"{where.rsplit(':', 1)[0]}: variable {name}"
    level = raw.get("level", "nominal")
    if level not in LEVELS:
        raise CodingError(f"{where}: level must be one of {', '.join(LEVELS)}, not {level!r}")
    categories = tuple(_category(c, f"{where}: categories[{i}]") for i, c in enumerate(raw.get("categories") or ()))
    values = [c.value for c in categories]
    if len(set(values)) < len(values):
        raise CodingError(f"{where}: a category value is given twice")
    if level == "nominal" and len(categories) < 2:
        raise CodingError(f"{where}: a nominal variable needs at least two categories")
    if level == "interval" and categories:
        raise CodingError(f"{where}: an interval variable takes numbers (min, max), not categories; use level = "
                          "\"ordinal\" for ordered categories")
    bounds = []
    for key in ("min", "max"):
        b = raw.get(key)
        if b is not None and (isinstance(b, bool) or not isinstance(b, (int, float))):
            raise CodingError(f"{where}: {key} must be a number, not {b!r}")
        bounds.append(float(b) if b is not None else None)
    if categories and any(b is not None for b in bounds):
        raise CodingError(f"{where}: min and max are for numbers; a variable with categories takes neither")
    if bounds[0] is not None and bounds[1] is not None and bounds[0] >= bounds[1]:
        raise CodingError(f"{where}: min must be below max")
    tendency = raw.get("tendency", False)
    if not isinstance(tendency, bool):
        raise CodingError(f"{where}: tendency must be true or false")
    if tendency and level != "nominal":
        raise CodingError(f"{where}: the tendency variable must be nominal (its categories are tendencies)")
    return Variable(name=name, question=str(raw.get("question") or name), level=level, categories=categories,
                    minimum=bounds[0], maximum=bounds[1], tendency=tendency,
                    instructions=str(raw.get("instructions") or ""))


def _category(raw: Any, where: str) -> Category:
    if isinstance(raw, str):
        raw = {"value": raw}
    if not isinstance(raw, Mapping):
        raise CodingError(f"{where}: expected {{ value = \"soft_left\", name = \"Soft left\" }}")
    unknown = set(raw) - {"value", "name", "description", "label"}
    if unknown:
        raise CodingError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use value, name, description, label")
    value = raw.get("value")
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise CodingError(f"{where}: value must be a non-empty string without surrounding spaces")
    label = raw.get("label", value)
    if label is False:
        label = None
    elif not isinstance(label, str) or not label.strip():
        raise CodingError(f"{where}: label must be a tendency (a string) or false, not {label!r}")
    return Category(value=value, name=str(raw.get("name") or value), description=str(raw.get("description") or ""),
                    label=" ".join(label.split()) if label else None)


def _fold(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text).strip().casefold()


def _num(x: float | None) -> str:
    """A number as stored: ``3`` rather than ``3.0``."""
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
