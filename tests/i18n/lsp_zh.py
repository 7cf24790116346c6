#!/usr/bin/env python3
"""lsp_zh.py REGULA FILE.rg — what `regula --lang zh lsp` publishes about FILE
(opened as it is on disk): the first diagnostic's message (with its hint, as
the server writes it for editors) and, on the next line, the hint alone."""
import json, pathlib, subprocess, sys

regula, path = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
p = subprocess.Popen([regula, "--lang", "zh", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def send(obj):
    body = json.dumps(obj).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()


def recv():
    length = 0
    while (line := p.stdout.readline().strip()):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(p.stdout.read(length))


def answer(id_):
    while (m := recv()).get("id") != id_:
        pass
    return m


send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}})
answer(1)
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
uri = path.as_uri()
text = path.read_text(encoding="utf-8")
send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
      "params": {"textDocument": {"uri": uri, "languageId": "regula", "version": 1, "text": text}}})
while (m := recv()).get("method") != "textDocument/publishDiagnostics":
    pass
d = m["params"]["diagnostics"][0]
print(d["message"])
print(d.get("data", {}).get("hint", ""))
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
answer(2)
send({"jsonrpc": "2.0", "method": "exit"})
p.wait(timeout=10)
