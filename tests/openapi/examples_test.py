#!/usr/bin/env python3
"""Every request example in docs/openapi.yaml, sent to a real `covenant serve`.

For each operation with a request body example, in the document's order: the example body is
sent as it is written (path parameters are filled with objects this test made: the instance
the start example started, a fresh one for each instance action, the approval it opened), and
the answer must be one the operation documents, must not refuse the body as malformed
(400, 415, 422), and must match the documented schema of that status. A 2xx is expected where
the scenario makes it possible (listed in EXPECT_SUCCESS).

usage: examples_test.py COVENANT-BINARY REPOSITORY-ROOT
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings

import yaml

with warnings.catch_warnings():  # RefResolver is deprecated in newer jsonschema, not in Debian's
    warnings.simplefilter("ignore", DeprecationWarning)
    from jsonschema import Draft202012Validator, RefResolver
warnings.simplefilter("ignore", DeprecationWarning)

# Operations whose example must be accepted outright in this scenario.
EXPECT_SUCCESS = {"deployDefinition", "startInstance", "sendInstanceEvent", "cancelInstance",
                  "createDelegation", "bulkInstances", "migrateInstances"}
BAD_BODY = {400, 415, 422}


def fail(msg):
    raise SystemExit("FAIL: " + msg)


def main():
    covenant, root = sys.argv[1], sys.argv[2]
    doc = yaml.safe_load(open(os.path.join(root, "docs", "openapi.yaml")))
    resolver = RefResolver.from_schema(doc)
    with tempfile.TemporaryDirectory() as tmp:
        db = "sqlite:" + os.path.join(tmp, "examples.db")

        def cli(*args):
            r = subprocess.run([covenant, *args, "--db", db, "--format", "json"],
                               capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                fail(f"covenant {' '.join(args)}: {r.stderr}")
            return json.loads(r.stdout) if r.stdout.strip() else None

        log = open(os.path.join(tmp, "serve.log"), "w+")
        serve = subprocess.Popen([covenant, "serve", "--db", db, "--create-db", "--port", "0",
                                  "--log-format", "json"], stderr=log, stdout=log)
        try:
            base = None
            deadline = time.monotonic() + 30
            while base is None:
                if time.monotonic() > deadline or serve.poll() is not None:
                    log.seek(0)
                    fail("serve did not start: " + log.read())
                log.seek(0)
                for line in log:
                    m = re.search(r'"msg":"serving (http://[^"]+)"', line)
                    if m:
                        base = m.group(1)
                time.sleep(0.1)
            admin = cli("principals", "add", "example-admin", "--roles", "admin")["token"]
            cli("principals", "add", "fiona", "--roles", "finance")
            cli("principals", "add", "dan", "--roles", "finance")
            run(doc, resolver, base, admin)
        finally:
            serve.terminate()
            serve.wait(timeout=30)


def call(base, token, method, path, body=None, content_type="application/json"):
    data = None
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def run(doc, resolver, base, token):
    state = {}

    def start_fresh(key):
        s, _, b = call(base, token, "POST", "/v1/instances",
                       {"workflow": "example-renewal", "business_key": key})
        if s != 201:
            fail(f"starting an instance for the examples: {s} {b}")
        return json.loads(b)["id"]

    sent = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            body_spec = op.get("requestBody")
            if not body_spec:
                continue
            (ctype, media), = body_spec["content"].items()
            if "example" not in media:
                fail(f"{op['operationId']}: the request body has no example")
            example = media["example"]
            # Path parameters: objects this scenario made.
            target = path
            for param in op.get("parameters", []):  # those the document gives an example of
                if param.get("in") == "path" and "example" in param:
                    target = target.replace("{" + param["name"] + "}", str(param["example"]))
            if target.startswith("/v1/instances/{id}"):
                target = target.replace("{id}", start_fresh(f"EX-{op['operationId']}"))
            elif target.startswith("/v1/approvals/{id}"):
                target = target.replace("{id}", state.get("approval", "apr_none"))
            if "{" in target:
                fail(f"{op['operationId']}: no value for a path parameter of {path}")
            if op["operationId"] == "migrateInstances":
                # A second version to move to: the example definition with one more step.
                v2 = state["definition"].replace("next: done }", "next: filed }") + \
                    "  filed: { type: wait, event: filed, next: done }\n"
                s, _, b = call(base, token, "POST", "/v1/definitions", v2, "application/yaml")
                if s != 201:
                    fail(f"deploying version 2 for the migration example: {s} {b}")
            status, got_type, text = call(base, token, method.upper(), target, example, ctype)
            name = op["operationId"]
            print(f"{name}: {method.upper()} {target} -> {status}")
            if status in BAD_BODY:
                fail(f"{name}: the documented example was refused as a bad request: {text}")
            responses = op["responses"]
            spec = responses.get(str(status))
            if spec is None:
                fail(f"{name}: answered {status}, which the operation does not document: {text}")
            if "$ref" in spec:
                spec = resolver.resolve(spec["$ref"])[1]
            if name in EXPECT_SUCCESS and not 200 <= status < 300:
                fail(f"{name}: the example should succeed here, got {status}: {text}")
            content = spec.get("content", {})
            if content:
                media_type = got_type.split(";")[0].strip()
                if media_type not in content:
                    fail(f"{name}: answered {media_type}, documented {list(content)}")
                schema = content[media_type].get("schema")
                if schema is not None:
                    answer = json.loads(text)
                    validator = Draft202012Validator(schema, resolver=resolver)
                    errors = sorted(validator.iter_errors(answer), key=str)
                    if errors:
                        fail(f"{name}: the {status} answer does not match its schema: "
                             f"{errors[0].message} at {list(errors[0].absolute_path)}")
                    if name == "deployDefinition":
                        state["definition"] = example
                    # The dry runs found the instance the start example started.
                    if name == "bulkInstances" and answer["found"] < 1:
                        fail(f"{name}: the dry run found nothing: {text}")
                    if name == "migrateInstances" and answer["would_move"] < 1:
                        fail(f"{name}: the dry run would move nothing: {text}")
            sent += 1
    if sent < 10:
        fail(f"only {sent} examples were sent")
    print(f"openapi examples: {sent} sent, each answered as documented")


if __name__ == "__main__":
    main()
