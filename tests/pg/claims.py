#!/usr/bin/env python3
"""claims.py — JSON Lines claims as PostgreSQL COPY data, for the extension's suite (stdlib only).
Must not judge a claim (that is Regula's): it only carries each line, its number and its ids.

usage: claims.py copy FILE [--jsonb]   COPY text rows: claim_id, person_id, seq, claim
       claims.py pick FILE SEQS         the lines of FILE whose numbers SEQS lists (one a line)

Each line becomes one row, seq its line number (so that error messages read
"line N" as `regula run` writes them). claim_id is the claim's own when it is a
string not seen before, else "#N"; person_id is person.id when it is a string.
With --jsonb only the lines PostgreSQL's jsonb takes are written (valid JSON,
no NaN, no \\u0000, no lone surrogate), for a table whose claim column is jsonb.
"""
import json
import re
import sys

NOT_JSONB = re.compile(r"\\u0000|\\u[dD][89a-fA-F]")


def copy_field(s):
    if s is None:
        return "\\N"
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def reject_constant(c):
    raise ValueError("not JSON: " + c)


def rows(path, jsonb):
    seen = set()
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for n, raw in enumerate(lines, 1):
        text = raw.decode("utf-8", "replace")
        try:
            obj = json.loads(text, parse_constant=reject_constant)
            valid = not NOT_JSONB.search(text)
        except ValueError:
            obj, valid = None, False
        if jsonb and not valid:
            continue
        cid = obj.get("claim_id") if isinstance(obj, dict) else None
        claim_id = cid if isinstance(cid, str) and cid not in seen else "#%d" % n
        seen.add(claim_id)
        person = obj.get("person") if isinstance(obj, dict) else None
        pid = person.get("id") if isinstance(person, dict) else None
        yield claim_id, pid if isinstance(pid, str) else None, str(n), text


def main(argv):
    if len(argv) >= 3 and argv[1] == "copy":
        out = sys.stdout
        for r in rows(argv[2], "--jsonb" in argv[3:]):
            out.write("\t".join(copy_field(x) for x in r) + "\n")
        return 0
    if len(argv) == 4 and argv[1] == "pick":
        with open(argv[2], "rb") as f:
            lines = f.read().split(b"\n")
        with open(argv[3]) as f:
            for s in f:
                if s.strip():
                    sys.stdout.buffer.write(lines[int(s) - 1] + b"\n")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
