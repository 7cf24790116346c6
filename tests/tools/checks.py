"""checks.py — what the Python tests (the tools' html_test.py and
progress_test.py, tests/lsp and tests/editors) share: one line a check, the
checks counted, the closing line and status."""
import sys

failed = passed = 0


def check(name, ok, got=""):
    """Print "ok" or "FAILED" and NAME; on a failure, what was got."""
    global failed, passed
    print(("ok      " if ok else "FAILED  ") + name)
    passed += 1 if ok else 0
    if not ok:
        failed += 1
        print("        got: " + repr(got)[-600:])


def done(what):
    print("%s: %d failed" % (what, failed))
    sys.exit(1 if failed else 0)


def finish(what):
    """The closing line "WHAT: N passed, M failed" and the status."""
    print("%s: %d passed, %d failed" % (what, passed, failed))
    sys.exit(1 if failed else 0)
