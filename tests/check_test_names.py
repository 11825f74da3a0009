#!/usr/bin/python3
"""catch_discover_tests splits test names at ';', so a TEST_CASE or ENGINE_TEST whose name has
one becomes ctest entries that match no test and pass without running anything. Refuse them."""
import glob, os, re, sys

root = sys.argv[1]
bad = []
for path in glob.glob(os.path.join(root, "tests", "**", "*.cpp"), recursive=True):
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r'(?:TEST_CASE|ENGINE_TEST)\(((?:\s*"[^"]*")+)', text):
        name = "".join(re.findall(r'"([^"]*)"', m.group(1)))
        if ";" in name:
            bad.append("%s: %s" % (os.path.relpath(path, root), name))
for b in bad:
    print("test name with ';' (ctest would not run it):", b)
sys.exit(1 if bad else 0)
