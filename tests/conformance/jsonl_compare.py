#!/usr/bin/env python3
"""Compare two JSON Lines files line by line, field by field (stdlib only).

usage: jsonl_compare.py EXPECTED ACTUAL

Each line is parsed as JSON and compared with the line of the same number: the same
keys with the same values (types included: 1 is not 1.0 nor true).  One exception: an
expected "error" starting with "not valid JSON" matches any actual "error" starting
with "not valid JSON" (the parser's wording is implementation-defined).

Prints each mismatch (at most 20), then "N passed, M failed"; exits 1 if any line
failed or the line counts differ, 2 on a usage or I/O error.
"""
import json
import sys

MAX_SHOWN = 20
INVALID_JSON = "not valid JSON"


def read_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()                      # a final newline opens no line
    return [l[:-1] if l.endswith(b"\r") else l for l in lines]


def same(a, b):
    """Strict JSON equality: bool, int, float and str are never mixed up."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def show(v):
    return json.dumps(v, ensure_ascii=False)


def compare_line(exp_text, act_text):
    """A list of (field, expected, actual) differences of one line."""
    try:
        exp = json.loads(exp_text)
    except ValueError as e:
        return [("(line)", "valid JSON", "expected line is not JSON: %s" % e)]
    try:
        act = json.loads(act_text)
    except ValueError as e:
        return [("(line)", show(exp), "not JSON (%s): %s" % (e, act_text.decode("utf-8", "replace")))]
    if not isinstance(exp, dict) or not isinstance(act, dict):
        return [] if same(exp, act) else [("(line)", show(exp), show(act))]
    diffs = []
    for key in exp:
        if key not in act:
            diffs.append((key, show(exp[key]), "(missing)"))
            continue
        e, a = exp[key], act[key]
        if (key == "error" and isinstance(e, str) and e.startswith(INVALID_JSON)
                and isinstance(a, str) and a.startswith(INVALID_JSON)):
            continue
        if not same(e, a):
            diffs.append((key, show(e), show(a)))
    for key in act:
        if key not in exp:
            diffs.append((key, "(absent)", show(act[key])))
    return diffs


def main(argv):
    if len(argv) != 3:
        print("usage: jsonl_compare.py EXPECTED ACTUAL", file=sys.stderr)
        return 2
    try:
        expected, actual = read_lines(argv[1]), read_lines(argv[2])
    except OSError as e:
        print("jsonl_compare.py: %s" % e, file=sys.stderr)
        return 2
    passed = failed = shown = 0

    def report(msg):
        nonlocal shown
        if shown < MAX_SHOWN:
            print(msg)
        elif shown == MAX_SHOWN:
            print("... (more mismatches not shown)")
        shown += 1

    for n, (e, a) in enumerate(zip(expected, actual), 1):
        diffs = compare_line(e, a)
        if diffs:
            failed += 1
            for field, ev, av in diffs:
                report("line %d: %s: expected %s, actual %s" % (n, field, ev, av))
        else:
            passed += 1
    if len(expected) != len(actual):
        extra = abs(len(expected) - len(actual))
        failed += extra
        report("line count differs: expected %d lines, actual %d lines"
               % (len(expected), len(actual)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
