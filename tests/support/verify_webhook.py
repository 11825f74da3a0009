#!/usr/bin/python3
"""An independent check of a Covenant webhook signature, written from the documented format
(docs/webhooks.md) with Python's own hmac module, sharing no code with the C++ signer.

usage: verify_webhook.py SECRET HEADER BODY_FILE NOW_SECONDS
exit 0 when the signature is valid and fresh (within 300 s), 1 otherwise."""
import hashlib
import hmac
import sys


def main(secret, header, body_path, now):
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts:
        return 1
    if abs(int(now) - int(parts["t"])) > 300:
        return 1
    body = open(body_path, "rb").read()
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return 0 if hmac.compare_digest(expected, parts["v1"]) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
