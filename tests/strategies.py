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
    timezones=st.sampled_from([UTC, None]).filter(lambda tz: tz is not None),
).map(lambda d: d + timedelta(0))
#: Strings of exactly n characters that look like digits to int()/isdigit() but are not ASCII.
unicode_digit_chars = st.sampled_from(list("٠١٢٣٤٥٦٧٨٩０１２３４５６７８９०१२३४५६७८९۰۱۲۳۴۵۶۷۸۹²³¹"))
