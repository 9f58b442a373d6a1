"""Constants shared by the vector builders (keys, algorithms, the output directory)."""

from __future__ import annotations

import hashlib
import os
import sys
import time as _time
from pathlib import Path

# Naive datetimes are local time to pyotp and oathtool: pin the zone so files are reproducible.
os.environ["TZ"] = "UTC"
_time.tzset()
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


VECTORS = ROOT / "vectors"
FORMAT_VERSION = 1
#: The vector set's version (vectors/CHANGELOG.md): major for changed verdicts.
VECTORS_VERSION = "2.0.0"
MAX64 = 2**64 - 1
SEEDS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
SEED20 = SEEDS["SHA1"]
ALGS = ("SHA1", "SHA256", "SHA512")
BLOCK = {"SHA1": 64, "SHA256": 64, "SHA512": 128}
HASHLIB = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
EXTERNAL = ("cryptography", "pyotp", "oath", "oathtool")
