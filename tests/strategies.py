"""Shared Hypothesis strategies. Add new strategies below; do not rewrite existing ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

MAX_COUNTER = 2**64 - 1

algorithms = st.sampled_from(["SHA1", "SHA256", "SHA512"])
digits = st.integers(min_value=6, max_value=10)
#: Keys of every length that matters: short, at the 64/128-byte block boundaries, long.
keys = st.binary(min_size=1, max_size=200)
#: Keys long enough for verification (>= 16 bytes, RFC 4226 R6).
strong_keys = st.binary(min_size=16, max_size=200)
counters = st.one_of(
    st.integers(min_value=0, max_value=MAX_COUNTER),
    st.sampled_from(
        [
            0,
            1,
            2**31 - 1,
            2**32 - 1,
            2**32,
            2**53 - 1,
            2**53,
            2**53 + 1,
            2**63,
            MAX_COUNTER - 1,
            MAX_COUNTER,
        ]
    ),
)
periods = st.integers(min_value=1, max_value=3600)
t0s = st.integers(min_value=0, max_value=2**40)
#: Unix times from 1970 to far beyond 2038 and 2**53.
times = st.integers(min_value=0, max_value=2**60)
aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.just(UTC),
).map(lambda d: d + timedelta(0))
#: Strings of exactly n characters that look like digits to int()/isdigit() but are not ASCII.
unicode_digit_chars = st.sampled_from(list("٠١٢٣٤٥٦٧٨٩０１２３４５６７８９०१२३४५६७८९۰۱۲۳۴۵۶۷۸۹²³¹"))


# --- Core test suite (issue 2, item 8): wrong types and edge values for every argument. ---


class IntSubclass(int):
    """An int subclass (an IntEnum is one): accepted where an int is, unlike bool."""

    __slots__ = ()


class StrSubclass(str):
    """A str subclass: accepted where a str is."""

    __slots__ = ()


class FloatSubclass(float):
    """A float subclass (``numpy.float64`` is one)."""

    __slots__ = ()


def released_memoryview(data: bytes) -> memoryview:
    """A memoryview whose buffer was released: every read of it raises ``ValueError``."""
    view = memoryview(data)
    view.release()
    return view


#: One value of every built-in kind a caller may pass by mistake: None, bool, huge ints,
#: NaN/inf, Decimal, Fraction, complex, text, bytes-likes (one released), naive and aware
#: datetimes, dates, timedeltas, subclasses of int/str/float, bad algorithm spellings, types.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from(
        [-1, 0, 1, 5, 6, 8, 10, 11, 16, 30, 100, 101, 1000, 1001, MAX_COUNTER, MAX_COUNTER + 1]
    ),
    st.floats(),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 0.5, 59.0, 2.0**64, 1e300]),
    st.complex_numbers(),
    st.decimals(),
    st.fractions(),
    st.text(max_size=40),
    st.text(alphabet="0123456789", min_size=5, max_size=11),
    st.binary(max_size=80),
    st.binary(max_size=80).map(bytearray),
    st.binary(max_size=80).map(lambda b: memoryview(b)),
    st.binary(min_size=16, max_size=32).map(released_memoryview),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.integers(min_value=-(2**70), max_value=2**70).map(IntSubclass),
    st.text(alphabet="0123456789", min_size=6, max_size=8).map(StrSubclass),
    st.floats().map(FloatSubclass),
    # "\uff33\uff28\uff21\uff11" is full-width SHA1; "\u0131" is a dotless i.
    st.sampled_from(
        [
            "SHA1",
            "sha256",
            "SHA512",
            "md5",
            "SHA-1",
            "sha1 ",
            "\uff33\uff28\uff21\uff11",
            "",
            "\u0131",
        ]
    ),
    st.builds(object),
    st.sampled_from([int, str, bytes, type, Ellipsis, NotImplemented, print]),
)
#: Anything: a scalar, or a container of scalars (lists, tuples of length 0-3, dicts, sets).
anything = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.tuples(),
    st.tuples(scalars),
    st.tuples(scalars, scalars),
    st.tuples(scalars, scalars, scalars),
    st.dictionaries(st.text(max_size=3), scalars, max_size=2),
    st.frozensets(st.integers(), max_size=3),
)
#: Valid ASCII-digit tokens of every supported length (6..10).
ascii_tokens = st.integers(min_value=6, max_value=10).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
)

# --- key URIs (issue 3) ---
#: Issuer/account text a key URI can carry: any Unicode except controls, separators, surrogates,
#: bidi overrides/isolates and ':' (the label separator the Key Uri Format forbids inside both).
uri_label_texts = st.text(
    alphabet=st.characters(
        exclude_categories=("Cc", "Cs", "Zl", "Zp"),
        exclude_characters=":\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    max_size=40,
)
uri_issuers = st.none() | uri_label_texts.filter(bool)
