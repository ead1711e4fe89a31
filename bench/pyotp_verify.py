"""pyotp TOTP.verify(valid_window=1) with a wrong code: the peer baseline for twofa's TOTP check.

Method of performance.md section 3: timeit.repeat, 15 rounds, iterations sized to about 150 ms
per round; the RFC 6238 SHA-1 key, time 1,700,000,000, a code matching none of the 3 steps.
Prints one JSON object: median microseconds per call (w0 and w1) and the pyotp version.
"""

import importlib.metadata
import json
import statistics
import timeit

import pyotp

KEY_B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # b"12345678901234567890"
T = 1_700_000_000


def per_call_us(fn):
    number = 1
    while timeit.timeit(fn, number=number) < 0.15:
        number *= 2
    rounds = timeit.repeat(fn, number=number, repeat=15)
    return statistics.median(rounds) / number * 1e6


def main():
    totp = pyotp.TOTP(KEY_B32)
    window = {totp.at(T + d) for d in (-30, 0, 30)}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in window)
    assert totp.verify(totp.at(T), for_time=T, valid_window=1)
    assert not totp.verify(wrong, for_time=T, valid_window=1)
    print(json.dumps({
        "pyotp": importlib.metadata.version("pyotp"),
        "verify_w0_us": per_call_us(lambda: pyotp.TOTP(KEY_B32).verify(wrong, for_time=T, valid_window=0)),
        "verify_w1_us": per_call_us(lambda: pyotp.TOTP(KEY_B32).verify(wrong, for_time=T, valid_window=1)),
    }))


if __name__ == "__main__":
    main()
