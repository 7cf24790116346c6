#!/usr/bin/env bash
# run.sh REGULA [NAME] — the language server's tests: lsp_test.py drives `REGULA lsp`
# as an editor would (JSON-RPC with Content-Length framing on its standard
# input and output) on a copy of the seed pack. Closing line "NAME: N passed,
# M failed" (NAME: lsp).
REGULA=$(cd "$(dirname "${1:-build/regula}")" && pwd)/$(basename "${1:-build/regula}")
cd "$(dirname "$0")/../.." || exit 2
timeout 300 python3 tests/lsp/lsp_test.py "$REGULA" "${2:-lsp}"
