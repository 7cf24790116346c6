#!/usr/bin/env python3
"""docblocks.py — the runnable examples of a documentation page, for the extension's suite (stdlib only).
Must not run anything itself: it writes the blocks as files, in page order, for tests/pg/run.sh.

usage: docblocks.py PAGE.md OUTDIR

Writes OUTDIR/NNN.sh for each ```sh block and OUTDIR/NNN.sql for each ```sql
block, and OUTDIR/NNN.expected for a ```text block that follows a sql block
with nothing but blank lines between (its expected psql output). Each file's
first line is a comment with PAGE:LINE. Other blocks (```console) are not run.
"""
import os
import re
import sys

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    page, out = argv[1], argv[2]
    text = open(page, encoding="utf-8").read()
    os.makedirs(out, exist_ok=True)
    n, last_sql_end, last_n = 0, None, None
    for m in FENCE.finditer(text):
        kind, body = m.group(1), m.group(2)
        line = text[:m.start()].count("\n") + 1
        where = "%s:%d" % (os.path.basename(page), line)
        if kind == "text" and last_sql_end is not None and text[last_sql_end:m.start()].strip() == "":
            with open(os.path.join(out, "%03d.expected" % last_n), "w", encoding="utf-8") as f:
                f.write(body)
        elif kind in ("sh", "sql"):
            n += 1
            with open(os.path.join(out, "%03d.%s" % (n, kind)), "w", encoding="utf-8") as f:
                f.write(("# " if kind == "sh" else "-- ") + where + "\n" + body)
            last_n = n
        last_sql_end = m.end() if kind == "sql" else None
    print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
