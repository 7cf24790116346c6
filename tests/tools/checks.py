"""checks.py — what the tools' Python tests (html_test.py, progress_test.py)
share: one line a check, the failures counted, the closing line and status."""
import sys

failed = 0


def check(name, ok, got=""):
    """Print "ok" or "FAILED" and NAME; on a failure, what was got."""
    global failed
    print(("ok      " if ok else "FAILED  ") + name)
    if not ok:
        failed += 1
        print("        got: " + repr(got)[-600:])


def done(what):
    print("%s: %d failed" % (what, failed))
    sys.exit(1 if failed else 0)
