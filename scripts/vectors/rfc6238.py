"""vectors/rfc6238.json: RFC 6238 Appendix B transcribed and checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rfc6238

from ._base import ALGS, SEED20, SEEDS
from .filebuilder import FileBuilder, _expect, hexkey, rfc_case
from .oracles import ORACLE_NAMES, check_totp_oracles, oracle_versions

#: RFC 6238 Appendix B, as printed: time, UTC text, T in hex, and the TOTP per mode (in the
#: order of ALGS: SHA1, SHA256, SHA512).
_APPENDIX_B = [
    (59, "1970-01-01 00:00:59", "0000000000000001", ("94287082", "46119246", "90693936")),
    (1111111109, "2005-03-18 01:58:29", "00000000023523EC", ("07081804", "68084774", "25091201")),
    (1111111111, "2005-03-18 01:58:31", "00000000023523ED", ("14050471", "67062674", "99943326")),
    (1234567890, "2009-02-13 23:31:30", "000000000273EF07", ("89005924", "91819424", "93441116")),
    (2000000000, "2033-05-18 03:33:20", "0000000003F940AA", ("69279037", "90698825", "38618901")),
    (20000000000, "2603-10-11 11:33:20", "0000000027BC86AA", ("65353130", "77737706", "47863826")),
]
#: The same rows with the codes keyed by mode.
RFC6238_TABLE = [
    (t, utc, t_hex, dict(zip(ALGS, codes, strict=True))) for t, utc, t_hex, codes in _APPENDIX_B
]


def build_rfc6238() -> dict[str, Any]:
    fb = FileBuilder(
        "rfc6238",
        "RFC 6238 Appendix B (TOTP, T0 = 0, X = 30, 8 digits) with the seeds of the "
        "Appendix A reference code (errata 2866), plus what the 20-byte seed gives for "
        "SHA-256/SHA-512 (NOT the RFC values; flagged WrongSeedErrata2866).",
        {
            "kind": "rfc",
            "references": [
                "RFC 6238 Appendix B (https://www.rfc-editor.org/rfc/rfc6238)",
                "RFC 6238 Appendix A reference code: seed (20 bytes), seed32, seed64",
                "RFC Errata 2866 (the Appendix B prose names only the 20-byte seed)",
            ],
            "description": "RFC values transcribed from the RFC text (time, UTC, T hex, "
            "TOTP). The WrongSeedErrata2866 cases are self-made: the same times with the "
            "20-byte ASCII seed for SHA-256 and SHA-512, which is what an implementation "
            "that believes the Appendix B prose computes.",
            "verification": "Transcription checked against rfc6238; every value recomputed "
            "by the oracles; verified_by lists those that agreed.",
            "oracles": ORACLE_NAMES,
            "oracle_versions": oracle_versions(),
        },
    )
    fb.note(
        RFC6238AppendixB="RFC 6238 Appendix B with the Appendix A seeds: 20 bytes for SHA1, "
        "32 for SHA256, 64 for SHA512.",
        WrongSeedErrata2866="Self-made: the 20-byte seed used with SHA256/SHA512. The result "
        "is valid for THAT key but differs from the RFC value (related_tcId); an "
        "implementation whose RFC test passes only with this key has mis-read errata 2866.",
    )
    tests = fb.group("totp", "RFC 6238 Appendix B: T0 = 0, X = 30 s, 8 digits.")
    rfc_ids: dict[tuple[int, str], int] = {}
    for time, utc, t_hex, codes in RFC6238_TABLE:
        step = rfc6238.time_step(time)
        _expect(f"{step:016X}" == t_hex, f"RFC 6238 T at {time}")
        when = dt.datetime.fromtimestamp(time, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        _expect(when == utc, f"RFC 6238 UTC at {time}")
        for alg in ALGS:
            key = SEEDS[alg]
            _expect(
                rfc6238.totp(key, time, digits=8, algorithm=alg) == codes[alg],
                f"RFC 6238 {time} {alg}",
            )
            case = rfc_case(
                fb,
                tests,
                f"RFC 6238 Appendix B, {utc} UTC, {alg}",
                "RFC6238AppendixB",
                key,
                check_totp_oracles(key, time, 30, 0, 8, alg, step, codes[alg]),
                time=time,
                period=30,
                t0=0,
                digits=8,
                algorithm=alg,
                utc=utc,
                step_hex=t_hex,
                step=step,
                code=codes[alg],
            )
            rfc_ids[time, alg] = case["tcId"]
    tests = fb.group(
        "totp",
        "NOT RFC values: the 20-byte seed with SHA256/SHA512 (errata 2866 trap). Valid for "
        "this key; each differs from the RFC case named by related_tcId.",
    )
    for time, utc, _t_hex, codes in RFC6238_TABLE:
        step = rfc6238.time_step(time)
        for alg in ("SHA256", "SHA512"):
            code = rfc6238.totp(SEED20, time, digits=8, algorithm=alg)
            _expect(code != codes[alg], f"20-byte seed {time} {alg}")
            verdicts = check_totp_oracles(SEED20, time, 30, 0, 8, alg, step, code)
            case = fb.case(
                tests,
                f"20-byte seed with {alg} at {utc} UTC: differs from the RFC's {codes[alg]}",
                ["WrongSeedErrata2866"],
                "valid",
                key=hexkey(SEED20),
                time=time,
                period=30,
                t0=0,
                digits=8,
                algorithm=alg,
                step=step,
                code=code,
                related_tcId=rfc_ids[time, alg],
            )
            verdicts.dump(case)
    return fb.document()
