"""Wrote ``v1.db`` (and ``v1_codes.json``) with the schema-1 code, before schema 2 existed.

Kept as the record of what the fixture holds. It ran on commit f05d5e3; to run it again::

    git checkout f05d5e3 -- rfc6238 && python tests/service/data/make_v1.py tests/service/data/v1.db
"""

from __future__ import annotations

import json
import sys

from rfc6238 import HOTP, TOTP
from rfc6238.service import TwoFactor
from rfc6238.service.backup import ScryptParams
from rfc6238.service.keyring import KeyRing
from rfc6238.service.policy import Policy

RING = KeyRing({1: bytes(range(32))})
T0 = 1_700_000_010


def main(out: str) -> None:
    now = [T0]
    fast = ScryptParams(n=1024)
    tf = TwoFactor.open(out, keyring=RING, issuer="Fixture", clock=lambda: now[0],
                        policy=Policy(backup_scrypt=fast))  # fmt: skip
    alice = TOTP(key=tf.enroll("alice", secret=b"A" * 20).secret)  # active, 1 code used, 2 fails
    codes = tf.confirm("alice", alice.at(T0)).reveal()
    tf.use_backup_code("alice", codes[0])
    now[0] += 30
    wrong = "000000" if alice.at(now[0]) != "000000" else "111111"
    for _ in range(2):
        try:
            tf.verify("alice", wrong)
        except Exception as err:  # InvalidToken, recorded as a failure
            print(type(err).__name__)
    bob = TOTP(key=tf.enroll("bob", secret=b"B" * 20).secret)  # active + pending re-enrollment
    tf.confirm("bob", bob.at(now[0]))
    tf.reenroll("bob", secret=b"C" * 20)
    tf.enroll("carol", secret=b"D" * 20)  # pending only
    dave = TOTP(key=tf.enroll("dave", secret=b"E" * 20).secret)  # disabled
    tf.confirm("dave", dave.at(now[0]))
    tf.disable("dave")
    tf.close()
    tf = TwoFactor.open(out, keyring=RING, issuer="Fixture", clock=lambda: now[0],
                        policy=Policy(type="hotp", backup_scrypt=fast))  # fmt: skip
    hank = HOTP(key=tf.enroll("hank", secret=b"H" * 20).secret)  # HOTP, counter at 3
    tf.confirm("hank", hank.at(0))
    tf.verify("hank", hank.at(3))
    tf.close()
    with open(out.replace("v1.db", "v1_codes.json"), "w") as f:
        json.dump({"alice": list(codes)}, f)


if __name__ == "__main__":
    main(sys.argv[1])
