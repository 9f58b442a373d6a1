"""What ``rfc6238 code`` loads, and the argparse-free fast path parsing exactly as argparse.

Start-up speed itself is measured by ``benchmarks/bench_startup.py``, never asserted here.
These tests check what the speed rests on: the ``code`` command imports neither the
conformance runner, the service, the notebook helpers nor the other subcommands, and
:func:`~rfc6238.cli.main.fast_code_args` returns either ``None`` (the full parser takes over)
or the very namespace that argparse builds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rfc6238.cli.main import fast_code_args, run
from rfc6238.cli.parsers import COMMANDS, build_parser

KEY = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 4226 Appendix D key, base32

#: Modules the ``code`` and ``verify`` commands never need.
NEVER = [
    "rfc6238.conformance",
    "rfc6238.service",
    "rfc6238.teaching",
    "rfc6238.cli.provision",
    "rfc6238.cli.demo",
    "rfc6238.uri",
    "rfc6238.migration",
    "rfc6238.qr",
    "cryptography",
    "qrcode",
    "PIL",
    "matplotlib",
]
#: The console script's entry point (``rfc6238 = "rfc6238.cli:main"``), dumping sys.modules
#: to stderr before anything else is imported.
ENTRY = (
    "import sys\n"
    "from rfc6238.cli import main\n"
    "code = main()\n"
    "names = sorted(sys.modules)\n"
    "import json\n"
    "sys.stderr.write(json.dumps(names))\n"
    "raise SystemExit(code)\n"
)


def modules_after(*argv: str) -> tuple[str, list[str]]:
    """Run the entry point with ``argv`` in a fresh interpreter: (stdout, modules loaded)."""
    result = subprocess.run(
        [sys.executable, "-c", ENTRY, *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "K": KEY},
        timeout=60,
        check=True,
    )
    names: list[str] = json.loads(result.stderr)
    return result.stdout, names


def loaded(names: list[str], prefixes: list[str]) -> list[str]:
    return [m for m in names if any(m == p or m.startswith(p + ".") for p in prefixes)]


@pytest.mark.parametrize(
    "argv",
    [
        ["code", "--secret-env", "K", "--at", "59", "--digits", "8"],  # fast path
        ["code", "--secret-env=K", "--at=59", "--digits=8"],  # the full parser
    ],
)
def test_code_imports_no_other_command_and_no_optional_module(argv: list[str]) -> None:
    out, names = modules_after(*argv)
    assert out == "94287082\n"  # RFC 6238 Appendix B, SHA-1 at T = 59
    assert loaded(names, NEVER) == []
    assert loaded(names, ["rfc6238.trace", "json"]) == []  # explain's and --json's only


def test_plain_code_skips_argparse() -> None:
    out, names = modules_after("code", "--secret-env", "K", "--at", "59")
    assert out == "287082\n"
    assert loaded(names, ["argparse"]) == []
    assert "rfc6238.cli.codes" in names  # the same handler as the full parser's


def test_verify_imports_no_other_command() -> None:
    out, names = modules_after("verify", "287082", "--secret-env", "K", "--at", "59")
    assert out.startswith("accepted: step 1 ")
    assert loaded(names, NEVER) == []


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    choices: dict[str, argparse.ArgumentParser] = action.choices
    return choices


def test_each_parser_alone_is_the_same_as_in_the_full_parser() -> None:
    full = subcommands(build_parser())
    assert list(full) == list(COMMANDS)
    for name in COMMANDS:
        alone = subcommands(build_parser(name))
        assert list(alone) == [name]
        assert alone[name].format_help() == full[name].format_help()


# ---- fast_code_args against argparse ----

FLAGS = ["--secret-stdin", "--hex", "--json"]
TAKES_VALUE = [
    "--secret-file",
    "--secret-env",
    "--secret",
    "--at",
    "--counter",
    "--digits",
    "--algorithm",
    "--period",
    "--t0",
    "--window",
]
ODD = ["--secret-e", "--dig", "-h", "--help", "--", "--version", "--digits=8", "-", "extra"]
VALUES = ["K", "59", "8", "-8", "x", "", " 7", "+7", "1_0", "٨", "2005-03-18T01:58:29Z", "SHA256"]
#: Mostly well-formed pieces (an option and a value, a flag), sometimes a stray word.
PAIR = st.tuples(st.sampled_from(TAKES_VALUE), st.sampled_from(VALUES)).map(list)
PIECES = st.one_of(
    PAIR,
    PAIR,
    PAIR,
    st.sampled_from(FLAGS).map(lambda flag: [flag]),
    st.sampled_from([*ODD, *VALUES, *TAKES_VALUE]).map(lambda word: [word]),
)
SOURCE = st.sampled_from([["--secret-env", "K"], ["--secret-stdin"], ["--secret", "x"], []])
WORDS = (
    st.tuples(SOURCE, st.lists(PIECES, max_size=4))
    .flatmap(lambda t: st.permutations([t[0], *t[1]]))
    .map(lambda pieces: [word for piece in pieces for word in piece])
)


def argparse_outcome(argv: list[str]) -> tuple[dict[str, object] | None, int | None, str]:
    """(namespace without handler, exit status, stderr) of the code-only parser."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            args = vars(build_parser("code").parse_args(argv))
        except SystemExit as exit_:
            return None, int(exit_.code or 0), err.getvalue()
    args.pop("handler")
    return args, None, err.getvalue()


#: Well-formed lines: one secret source, other options at most once, in any order.
TIDY = (
    st.tuples(
        st.sampled_from([["--secret-env", "K"], ["--secret-stdin"], ["--secret-file", "k"]]),
        st.dictionaries(st.sampled_from(TAKES_VALUE[3:]), st.sampled_from(VALUES), max_size=4),
        st.sets(st.sampled_from(["--hex", "--json"])),
    )
    .flatmap(
        lambda t: st.permutations(
            [t[0], *([option, value] for option, value in t[1].items()), *([f] for f in t[2])]
        )
    )
    .map(lambda pieces: [word for piece in pieces for word in piece])
)


def check_against_argparse(words: list[str]) -> bool:
    """True if the fast path took ``code WORDS`` (and then agreed with argparse)."""
    argv = ["code", *words]
    fast = fast_code_args(argv)
    if fast is None:
        return False  # the full parser handles it: its messages and exit codes by construction
    got = vars(fast)
    assert callable(got.pop("handler"))
    assert argparse_outcome(argv) == (got, None, "")
    return True


@given(WORDS)
@example(["--secret-env", "K", "--secret-env", "K"])
@example(["--secret-env", "K", "--at", "1", "--counter", "1"])
@example(["--secret-env", "K", "--digits", "-8"])
@example(["--secret-env", "K", "--digits"])
def test_fast_path_on_any_words_agrees_with_argparse_or_steps_aside(words: list[str]) -> None:
    check_against_argparse(words)


@given(TIDY)
def test_fast_path_on_tidy_lines_agrees_with_argparse(words: list[str]) -> None:
    took = check_against_argparse(words)
    bad_value = any(v.startswith("-") for v in words) or ("--at" in words and "--counter" in words)
    assert (
        took
        or bad_value
        or any(
            words[i] in {"--counter", "--digits", "--period", "--t0", "--window"}
            and words[i + 1] in {"x", "", "2005-03-18T01:58:29Z", "SHA256", "K"}
            for i in range(len(words) - 1)
        )
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["code", "--secret-env", "K"],
        ["code", "--secret-file", "key.txt", "--at", "59", "--digits", "8"],
        ["code", "--secret-stdin", "--counter", "1", "--json"],
        ["code", "--secret", KEY, "--hex", "--algorithm", "SHA256", "--period", "60"],
        ["code", "--json", "--t0", "10", "--window", "2", "--secret-env", "K"],
    ],
)
def test_the_documented_plain_forms_take_the_fast_path(argv: list[str]) -> None:
    fast = fast_code_args(argv)
    assert fast is not None
    got = vars(fast)
    got.pop("handler")
    assert argparse_outcome(argv) == (got, None, "")


@pytest.mark.parametrize(
    "argv",
    [
        ["code", "--secret-env", "K", "--at", "59", "--digits", "8"],
        ["code", "--secret-env", "K", "--at", "59", "--window", "1"],
        ["code", "--secret-env", "K", "--counter", "1", "--json"],
        ["code", "--secret-env", "K", "--at", "2005-03-18T01:58:29"],  # naive: refused
        ["code", "--secret-env", "K", "--at", "59", "--digits", "5"],  # RFC6238Error
        ["code", "--secret-env", "K", "--at", "59", "--window", "11"],  # CLIError
        ["code", "--secret-env", "NOT_SET_ANYWHERE", "--at", "59"],  # exit 4
        ["code", "--secret", "!!", "--at", "59"],
    ],
)
def test_fast_path_and_full_parser_print_and_exit_alike(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("K", KEY)
    fast = fast_code_args(argv)
    assert fast is not None
    fast_code = run(fast)
    fast_out = capsys.readouterr()
    full_code = run(build_parser().parse_args(argv))
    full_out = capsys.readouterr()
    assert (fast_code, fast_out.out, fast_out.err) == (full_code, full_out.out, full_out.err)
