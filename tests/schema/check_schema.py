#!/usr/bin/env python3
"""Keeps definitions/schema/covenant-workflow.schema.json and the loader in agreement.

* Every valid definition (tests/cases/valid, definitions/, the docs' examples) must be
  accepted by the schema.
* Every invalid case in tests/cases/validate whose expected diagnostics include a structural
  code (one a JSON Schema can express) must be rejected by the schema, unless the case says
  why it cannot be: "# schema: cannot-detect <reason>".
Uses Debian's python3-jsonschema and python3-yaml. YAML is read with YAML 1.2 rules for
booleans (only true/false), as yaml-cpp and editors' YAML servers do.
"""
import glob
import os
import re
import sys

import jsonschema
import yaml

STRUCTURAL = {"unknown-field", "missing-field", "wrong-type", "bad-value", "bad-name", "bad-path",
              "bad-duration", "conflicting-fields"}


class Yaml12Loader(yaml.SafeLoader):
    pass


# YAML 1.1 turns yes/no/on/off into booleans and parses dates; YAML 1.2 (yaml-cpp) does not.
Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def load(text):
    return yaml.load(text, Loader=Yaml12Loader)


def doc_examples(root):
    for doc in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
        lines = open(doc, encoding="utf-8").read().split("\n")
        inside, block, start, expect = False, [], 0, False
        for i, line in enumerate(lines):
            if not inside and line == "```yaml":
                inside, block, start = True, [], i + 2
                expect = i > 0 and lines[i - 1].startswith("<!-- expect:")
            elif inside and line == "```":
                inside = False
                text = "\n".join(block) + "\n"
                if "kind: Workflow" in text and not expect:
                    yield "%s:%d" % (os.path.relpath(doc, root), start), text
            elif inside:
                block.append(line)


def main(root):
    schema = __import__("json").load(open(os.path.join(root, "definitions/schema/covenant-workflow.schema.json")))
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    problems, checked_good, checked_bad, exempt = [], 0, 0, 0

    good = [(os.path.relpath(p, root), open(p, encoding="utf-8").read())
            for p in sorted(glob.glob(os.path.join(root, "tests/cases/valid/*.yaml")) +
                            glob.glob(os.path.join(root, "definitions/*.yaml")))]
    good += list(doc_examples(root))
    for name, text in good:
        errors = list(validator.iter_errors(load(text)))
        checked_good += 1
        if errors:
            e = errors[0]
            problems.append("%s: valid for the loader but the schema refuses it: %s at /%s"
                            % (name, e.message, "/".join(map(str, e.absolute_path))))

    for path in sorted(glob.glob(os.path.join(root, "tests/cases/validate/*.yaml"))):
        name = os.path.relpath(path, root)
        text = open(path, encoding="utf-8", errors="replace").read()
        codes = set(re.findall(r"^# expect: (\S+)", text, re.M))
        if not codes & STRUCTURAL:
            continue
        if re.search(r"^# schema: cannot-detect ", text, re.M):
            exempt += 1
            continue
        try:
            data = load(text)
        except yaml.YAMLError:
            continue  # not YAML at all: nothing for a schema to say
        checked_bad += 1
        if validator.is_valid(data):
            problems.append("%s: the loader reports %s but the schema accepts it"
                            % (name, ", ".join(sorted(codes & STRUCTURAL))))

    for p in problems:
        print("FAIL " + p)
    print("schema: %d valid definitions accepted, %d structurally invalid cases rejected, "
          "%d exempt with a reason, %d disagreements" % (checked_good, checked_bad, exempt, len(problems)))
    return 1 if problems or checked_good < 3 or checked_bad < 20 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
