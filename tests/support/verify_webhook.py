#!/usr/bin/python3
"""An independent check of a Covenant webhook signature, written from the documented format
(docs/webhooks.md) with Python's own hmac module, sharing no code with the C++ signer.

usage: verify_webhook.py SECRET HEADER BODY_FILE NOW_SECONDS
exit 0 when the signature is valid and fresh (within 300 s), 1 otherwise."""
import hashlib
import hmac
import sys


def main(secret, header, body_path, now):
    pairs = [p.split("=", 1) for p in header.split(",") if "=" in p]
    t = [v for k, v in pairs if k == "t"]
    signatures = [v for k, v in pairs if k == "v1"]  # several while a secret is rotated
    if len(t) != 1 or not signatures:
        return 1
    if abs(int(now) - int(t[0])) > 300:
        return 1
    body = open(body_path, "rb").read()
    expected = hmac.new(secret.encode(), t[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return 0 if any(hmac.compare_digest(expected, s) for s in signatures) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
