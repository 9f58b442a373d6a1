"""Load the language-neutral test vectors in ``vectors/*.json`` (Wycheproof-shaped files).

Each file has a ``source`` (where its values came from and what verified them), ``notes``
(what each flag means) and ``testGroups`` whose ``type`` says which operation the cases
exercise (``hotp``, ``totp``, ``truncate``, ``verify_hotp``, ``verify_totp``,
``base32_decode``, ``base32_encode``, ``parse_uri``). Every case has a unique ``tcId``, a
``comment``, ``flags`` and a ``result``: ``"valid"`` (the expected value must come back),
``"invalid"`` (the input must be refused; the expected ``error`` class of
:mod:`rfc6238.errors` is named) or ``"acceptable"`` (the RFC permits either the expected value
or a clean refusal). A case that tests one of rfc6238's house rules rather than an RFC rule
carries the flag ``Policy`` and a one-line ``policy`` reason. The format is described by
``vectors/schema.json`` and ``vectors/README.md``.

Values JSON cannot carry are *tagged*: a one-member object such as ``{"float": "nan"}``,
``{"bool": true}``, ``{"none": true}``, ``{"str": "..."}`` (text where bytes belong),
``{"int": 287082}`` (an int where text belongs), ``{"bytes_hex": "..."}`` or
``{"datetime": "2005-03-18T01:58:29+00:00"}``; :func:`decode_value` turns them into Python
values. Integers are plain JSON integers; :mod:`json` reads them exactly, even above 2**64.
Expected results that are JSON objects (a verification's ``match``, a parsed Key URI's
``expected``) are read raw with :meth:`VectorCase.get`, not decoded.

The files live in the repository next to the package (``vectors/``), not inside it; pass
``directory=`` to read them from elsewhere.

>>> f = load("rfc4226")
>>> case = f.groups[0].tests[0]
>>> case.arg("key"), case.arg("counter"), case.get("code")
(b'12345678901234567890', 0, '755224')
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

from ..errors import InvalidEncoding, InvalidParameter, InvalidType

__all__ = [
    "RESULTS",
    "TAGS",
    "VectorCase",
    "VectorFile",
    "VectorGroup",
    "available",
    "decode_value",
    "default_directory",
    "load",
    "load_path",
]

#: The verdicts a case can carry (the Wycheproof model).
RESULTS: Final = ("valid", "invalid", "acceptable")
#: The tags of values JSON cannot express directly (see the module docstring).
TAGS: Final = frozenset({"int", "float", "bool", "none", "str", "bytes_hex", "datetime"})
_NAME: Final = re.compile(r"[a-z0-9_]{1,64}")
_FLOATS: Final = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
#: Fields whose plain JSON string is hex for bytes (a tagged {"str": ...} stays text).
_HEX_FIELDS: Final = frozenset({"key", "digest", "hmac"})


def default_directory() -> Path:
    """Where the vector files are: installed with the package, or the checkout's ``vectors/``.

    A wheel may carry them as ``rfc6238/vectors_data/``; in a source checkout (and an
    editable install) they are ``vectors/`` next to the package.

    >>> default_directory().name in ("vectors", "vectors_data")
    True
    """
    package = Path(__file__).resolve().parent.parent  # rfc6238/
    installed = package / "vectors_data"
    return installed if installed.is_dir() else package.parent / "vectors"


def decode_value(value: object) -> object:
    """Turn a tagged JSON value into the Python value it stands for; others pass unchanged.

    Lists become tuples (a ``window`` of ``[past, future]`` is the pair ``(past, future)``).

    >>> decode_value({"float": "nan"}), decode_value({"bool": True}), decode_value([1, 2])
    (nan, True, (1, 2))
    """
    if isinstance(value, list):
        return tuple(decode_value(v) for v in value)
    if not isinstance(value, dict):
        return value
    if len(value) != 1 or next(iter(value)) not in TAGS:
        raise InvalidEncoding(f"tagged value must have exactly one tag of {sorted(TAGS)}")
    tag, inner = next(iter(value.items()))
    if tag == "none":
        return None
    if tag == "float":
        if not isinstance(inner, str):
            raise InvalidEncoding("a float tag holds a decimal string")
        return _FLOATS[inner] if inner in _FLOATS else float(inner)
    if tag == "bytes_hex":
        if not isinstance(inner, str):
            raise InvalidEncoding("a bytes_hex tag holds a hex string")
        return bytes.fromhex(inner)
    if tag == "datetime":
        if not isinstance(inner, str):
            raise InvalidEncoding("a datetime tag holds an ISO 8601 string")
        return datetime.fromisoformat(inner)
    expected = {"int": int, "bool": bool, "str": str}[tag]
    if type(inner) is not expected:
        raise InvalidEncoding(f"a {tag} tag holds a JSON {expected.__name__}")
    return inner


@dataclass(frozen=True, slots=True, kw_only=True)
class VectorCase:
    """One test case. ``data`` is the raw JSON object; :meth:`arg` decodes a field."""

    tc_id: int
    comment: str
    flags: tuple[str, ...]
    result: Literal["valid", "invalid", "acceptable"]
    error: str | None
    verified_by: tuple[str, ...]
    data: Mapping[str, Any] = field(repr=False)
    #: The house rule this case tests (flag ``Policy``), in one line; None for RFC cases.
    policy: str | None = None

    def get(self, name: str, default: object = None) -> Any:
        """The raw JSON value of field ``name`` (``default`` if absent)."""
        return self.data.get(name, default)

    def arg(self, name: str) -> Any:
        """Field ``name`` as the Python argument it stands for.

        Plain strings in ``key``/``digest``/``hmac`` are hex and become bytes; tagged
        values are decoded with :func:`decode_value`.
        """
        raw = self.data[name]
        if name in _HEX_FIELDS and isinstance(raw, str):
            return bytes.fromhex(raw)
        return decode_value(raw)


@dataclass(frozen=True, slots=True, kw_only=True)
class VectorGroup:
    """A group of cases exercising one operation (``type``)."""

    type: str
    comment: str
    tests: tuple[VectorCase, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class VectorFile:
    """A parsed vector file."""

    name: str
    path: Path
    schema: str
    source: Mapping[str, Any]
    notes: Mapping[str, str]
    number_of_tests: int
    groups: tuple[VectorGroup, ...]
    #: The version of the vector set (``vectorsVersion``; see ``vectors/CHANGELOG.md``).
    vectors_version: str = ""

    def cases(self, group_type: str | None = None) -> Iterator[tuple[VectorGroup, VectorCase]]:
        """Every ``(group, case)`` pair, optionally only of one group ``type``.

        >>> [case.get("code") for _, case in load("rfc4226").cases("truncate")]
        ['872921']
        """
        for group in self.groups:
            if group_type is None or group.type == group_type:
                for case in group.tests:
                    yield group, case


def _reject_constant(name: str) -> object:
    raise InvalidEncoding(f"vector files are strict JSON: {name} is not allowed")


def _reject_float(text: str) -> object:
    raise InvalidEncoding("vector files carry no JSON floats; use a {'float': ...} tag")


def _case(raw: Mapping[str, Any]) -> VectorCase:
    result = raw["result"]
    if result not in RESULTS:
        raise InvalidEncoding("result must be 'valid', 'invalid' or 'acceptable'")
    return VectorCase(
        tc_id=raw["tcId"],
        comment=raw["comment"],
        flags=tuple(raw["flags"]),
        result=result,
        error=raw.get("error"),
        verified_by=tuple(raw.get("verified_by", ())),
        data=raw,
        policy=raw.get("policy"),
    )


def load_path(path: str | Path) -> VectorFile:
    """Load one vector file from an explicit path.

    Raises:
        InvalidType: ``path`` is not a str or Path.
        InvalidEncoding: the file is not strict JSON of the vector format.
        FileNotFoundError: there is no such file.

    >>> load_path(default_directory() / "rfc6238.json").number_of_tests
    30
    """
    if not isinstance(path, str | Path):
        raise InvalidType(f"path must be a str or Path, not {type(path).__name__}")
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(text, parse_constant=_reject_constant, parse_float=_reject_float)
        groups = tuple(
            VectorGroup(
                type=g["type"],
                comment=g.get("comment", ""),
                tests=tuple(_case(c) for c in g["tests"]),
            )
            for g in doc["testGroups"]
        )
        return VectorFile(
            name=doc["name"],
            path=path,
            schema=doc["schema"],
            source=doc["source"],
            notes=doc.get("notes", {}),
            number_of_tests=doc["numberOfTests"],
            groups=groups,
            vectors_version=str(doc.get("vectorsVersion", "")),
        )
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, InvalidEncoding):
            raise
        raise InvalidEncoding(f"{path.name} is not a vector file: {type(err).__name__}") from err


def load(name: str, *, directory: str | Path | None = None) -> VectorFile:
    """Load ``vectors/<name>.json`` from ``directory`` (default: :func:`default_directory`).

    Args:
        name: The file's stem, e.g. ``"rfc4226"`` or ``"hotp_edges"``.
        directory: Where the files are; by default the checkout's ``vectors/``.

    Raises:
        InvalidParameter: ``name`` is not a plain file stem (``[a-z0-9_]``).
        FileNotFoundError: the directory or file does not exist (the files are not
            installed with the wheel; pass ``directory=``).

    >>> load("rfc6238").source["kind"]
    'rfc'
    """
    if not isinstance(name, str):
        raise InvalidType(f"name must be a str, not {type(name).__name__}")
    if not _NAME.fullmatch(name):
        raise InvalidParameter("name must be a vector file stem of a-z, 0-9 and _")
    base = default_directory() if directory is None else Path(directory)
    path = base / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no vector file {name}.json in {base}; pass directory=")
    return load_path(path)


def available(*, directory: str | Path | None = None) -> list[str]:
    """The names of the vector files present (``schema.json`` excluded).

    >>> "rfc4226" in available()
    True
    """
    base = default_directory() if directory is None else Path(directory)
    return sorted(p.stem for p in base.glob("*.json") if p.stem != "schema")
