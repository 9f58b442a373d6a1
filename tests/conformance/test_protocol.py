"""The JSON-lines protocol as specified: every request and reply of a full run matches the
schemas of docs/protocol/, and the adapter self-test tells good adapters from bad ones."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import jsonschema
import pytest

from rfc6238.conformance import run_suite, select_cases
from rfc6238.conformance.process import JsonLinesImplementation
from rfc6238.conformance.selftest import selftest, selftest_main

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = ROOT / "docs" / "protocol"
EXAMPLE = ROOT / "examples" / "jsonl_rfc6238.py"

RECORDER = """
import json, sys
sys.path.insert(0, {examples!r})
import jsonl_rfc6238 as example
with open({log!r}, "w") as log:
    for line in sys.stdin:
        request = json.loads(line)
        reply = example.handle(request)
        log.write(json.dumps({{"request": request, "reply": reply}}) + "\\n")
        sys.stdout.write(json.dumps(reply) + "\\n")
        sys.stdout.flush()
"""


def _schema(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((PROTOCOL / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_request_and_reply_of_a_run_matches_the_schemas(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER.format(examples=str(EXAMPLE.parent), log=str(log)))
    impl = JsonLinesImplementation(f"{sys.executable} {script}")
    cases = select_cases()
    try:
        results = run_suite([impl], cases)
    finally:
        impl.close()
    assert all(r.status == "pass" for r in results)
    requests, replies = _schema("request"), _schema("reply")
    reply_schema = json.loads((PROTOCOL / "reply.schema.json").read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(lines) == len(cases) + 1  # hello, then one request per case
    ops = set()
    for entry in lines:
        request, reply = entry["request"], entry["reply"]
        requests.validate(request)
        replies.validate(reply)
        per_op = {**reply_schema, "$ref": f"#/$defs/reply_{request['op']}"}
        jsonschema.Draft202012Validator(per_op).validate(reply)
        ops.add(request["op"])
        for name, value in request.get("args", {}).items():
            if type(value) is int:
                assert request["args"][f"{name}_text"] == str(value)
    assert ops == {"hello", *(c.op for c in cases)}


def test_the_schemas_reject_broken_messages() -> None:
    requests, replies = _schema("request"), _schema("reply")
    good = {"id": "1", "op": "hotp", "args": {"key": "00", "counter": 1}}
    assert requests.is_valid(good)
    for bad in (
        {**good, "op": "nope"},
        {**good, "args": {"key": "0g"}},
        {**good, "args": {"counter_text": 5}},
        {"id": "1", "op": "hotp"},
    ):
        assert not requests.is_valid(bad), bad
    assert replies.is_valid({"id": "1", "result": "755224"})
    assert replies.is_valid({"id": "1", "crash": "TypeError"})
    assert not replies.is_valid({"id": "1"})
    assert not replies.is_valid({"id": "1", "result": "1", "error": "x"})


def test_selftest_passes_the_reference_adapter() -> None:
    problems = selftest(f"{sys.executable} {EXAMPLE}")
    assert [p for _, p in problems if p] == []
    out = io.StringIO()
    assert selftest_main(f"{sys.executable} {EXAMPLE}", out) == 0
    assert out.getvalue().rstrip().endswith("adapter protocol: ok")


BAD_ADAPTERS = {
    "rounds big integers": "reply = {'id': r['id'], 'result': r.get('args')}\n"
    "if r['op'] == 'echo':\n"
    "    reply['result'] = {k: (float(v) if type(v) is int else v) for k, v in r['args'].items()}\n"
    "    reply['result'] = {k: (int(v) if type(v) is float else v)"
    " for k, v in reply['result'].items()}\n"
    "    reply['result'] = {k: v for k, v in reply['result'].items() if not k.endswith('_text')}\n",
    "errors on unknown operations": "reply = {'id': r['id'], 'error': 'no'}\n"
    "if r['op'] in ('hello', 'echo'):\n"
    "    reply = {'id': r['id'], 'result': r.get('args', {'name': 'x'})}\n",
    "drops control characters": "args = {k: v.replace('\\u202e', '') if isinstance(v, str) else v"
    " for k, v in r.get('args', {}).items()}\n"
    "reply = {'id': r['id'], 'result': args if r['op'] != 'hello' else {'name': 'x'}}\n",
}


@pytest.mark.parametrize("what", list(BAD_ADAPTERS))
def test_selftest_catches_a_broken_adapter(tmp_path: Path, what: str) -> None:
    body = BAD_ADAPTERS[what].replace("\n", "\n    ")
    script = tmp_path / "bad.py"
    script.write_text(
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    r = json.loads(line)\n"
        f"    {body}\n"
        "    if r['op'] == 'hello':\n"
        "        reply = {'id': 'hello', 'result': {'name': 'bad'}}\n"
        "    print(json.dumps(reply), flush=True)\n"
    )
    problems = [p for _, p in selftest(f"{sys.executable} {script}", timeout=5) if p]
    assert problems, what
    assert selftest_main(f"{sys.executable} {script}", io.StringIO()) == 1
