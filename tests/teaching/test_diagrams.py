"""Tests for rfc6238.teaching.diagrams: the SVG pipeline shows live values and never the key."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import rfc6238
from rfc6238 import InvalidType
from rfc6238.teaching.diagrams import Pipeline, pipeline_svg

KEY = b"12345678901234567890"
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well formed
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def test_totp_pipeline_shows_each_stage() -> None:
    trace = rfc6238.trace_totp(KEY, 1111111109, digits=8)
    texts = _texts(pipeline_svg(trace))
    assert "1111111109" in texts
    assert "⌊(1111111109 \u2212 0) / 30⌋ = 37037036" in texts
    assert "00 00 00 00 02 35 23 ec" in texts
    assert f"{trace.digest[-1]:#04x} & 0x0f = {trace.offset}" in texts
    assert trace.window.hex(" ") in texts
    assert "07081804" in texts  # RFC 6238 Appendix B
    assert "20 bytes, hidden" in texts
    # Every digest byte is drawn, each with its index.
    for byte in trace.digest:
        assert f"{byte:02x}" in texts


def test_hotp_pipeline_and_long_digest_wraps() -> None:
    texts = _texts(pipeline_svg(rfc6238.trace_hotp(KEY, 1)))
    assert "counter C" in texts
    assert "287082" in texts
    trace = rfc6238.trace_totp(KEY * 3 + KEY[:4], 59, digits=8, algorithm="SHA512")
    svg = pipeline_svg(trace)
    assert "90693936" in _texts(svg)  # RFC 6238 Appendix B, SHA-512
    assert svg.count("<rect") > 64


@pytest.mark.parametrize("key", [KEY, KEY * 3 + KEY[:4], bytes(range(32))])
def test_key_bytes_never_appear(key: bytes) -> None:
    trace = rfc6238.trace_totp(key, 59, algorithm="SHA512")
    svg = pipeline_svg(trace)
    assert key.hex() not in svg
    assert key.hex(" ") not in svg
    assert key.decode("latin-1") not in svg


def test_pipeline_object_displays_svg() -> None:
    trace = rfc6238.trace_hotp(KEY, 0)
    p = Pipeline(trace=trace)
    assert p._repr_svg_() == pipeline_svg(trace)


def test_rejects_non_trace() -> None:
    with pytest.raises(InvalidType):
        pipeline_svg("not a trace")  # type: ignore[arg-type]  # the bad argument under test
