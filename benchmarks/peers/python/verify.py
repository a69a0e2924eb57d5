"""Verifies the interop fixture's `normal-user` token with PyJWT's `jwt.decode` and the same
public JWK the Rust benches use (parsed once), checking ES256, issuer, audience and expiry with
5 s of leeway, as the Rust verifier does. Prints one JSON line: the median verifications per
second over timed batches.

Usage: python3 verify.py <interop-dir> [seconds]   (PyJWT and cryptography on PYTHONPATH;
`cargo xtask bench --peers` installs them into target/peers/python)
"""

import base64
import json
import os
import platform
import sys
import time

import cryptography
import jwt
from jwt.algorithms import ECAlgorithm


def load(interop):
    with open(os.path.join(interop, "cases.json")) as f:
        cases = json.load(f)
    pid = cases["project_id"]
    fixture = next(c for c in cases["cases"] if c["name"] == "normal-user")
    token = fixture["token"]
    path = os.path.join(interop, "jwks", pid, "jwks.json@include_anonymous=true")
    with open(path) as f:
        jwks = json.load(f)
    header = token.split(".")[0]
    kid = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    issuer = f"{cases['base_url']}/api/v1/projects/{pid}"
    return token, ECAlgorithm.from_jwk(json.dumps(jwk)), pid, issuer, fixture["expect"]["user_id"]


def main():
    interop = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    token, key, audience, issuer, user_id = load(interop)

    def verify():
        return jwt.decode(
            token,
            key,
            algorithms=["ES256"],
            audience=audience,
            issuer=issuer,
            leeway=5,
            options={"require": ["exp", "aud", "iss", "sub"]},
        )

    if verify()["sub"] != user_id:
        raise SystemExit("wrong subject")

    def batch(duration):
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < duration:
            for _ in range(100):
                verify()
            n += 100
        return n / (time.perf_counter() - start)

    batches = 20
    batch(1.0)  # warm-up
    rates = sorted(batch(seconds / batches) for _ in range(batches))
    print(
        json.dumps(
            {
                "library": f"PyJWT {jwt.__version__} (cryptography {cryptography.__version__})",
                "runtime": f"Python {platform.python_version()}",
                "ops_per_sec": rates[batches // 2],
                "batches": batches,
            }
        )
    )


if __name__ == "__main__":
    main()
