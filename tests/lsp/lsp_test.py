#!/usr/bin/env python3
"""lsp_test.py REGULA [NAME] — a scripted editor session with `REGULA lsp`.

Speaks JSON-RPC with Content-Length framing over the server's standard input
and output, as an editor does, on a copy of the seed pack (policies/) in a
scratch folder, so that the unsaved text of open documents can differ from
the files on disk. Asserts the lifecycle, diagnostics as you type (an open
document's text wins over its file; another open file's text counts; fixed
errors are cleared; columns in UTF-16 after Chinese text), hover, go to
definition across `extends`, completion, and the protocol's errors.
Closing line: "NAME: N passed, M failed" (NAME: lsp); exit 1 on a failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from checks import check, finish  # noqa: E402

REGULA = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/regula")
NAME = sys.argv[2] if len(sys.argv) > 2 else "lsp"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def utf16(s):
    return len(s.encode("utf-16-le")) // 2


class Server:
    def __init__(self):
        self.p = subprocess.Popen([REGULA, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.next_id = 0
        self.notes = []

    def send_bytes(self, body):
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def send(self, obj):
        self.send_bytes(json.dumps(obj).encode())

    def read(self):
        length = None
        while True:
            line = self.p.stdout.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            key, value = line.split(b":", 1)
            if key.lower() == b"content-length":
                length = int(value)
        return json.loads(self.p.stdout.read(length))

    def request(self, method, params=None):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.wait_for(self.next_id)

    def wait_for(self, id):
        while True:
            m = self.read()
            if m is None:
                raise SystemExit("lsp: the server closed its output while a reply was awaited")
            if "method" not in m and m.get("id") == id:
                return m
            self.notes.append(m)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self):
        """Publications since the last call, the last per URI, after a round trip
        (a request answered after the notifications the server sent before it)."""
        self.request("textDocument/hover", {"textDocument": {"uri": "file:///nowhere.rg"},
                                            "position": {"line": 0, "character": 0}})
        got = {}
        for m in self.notes:
            if m.get("method") == "textDocument/publishDiagnostics":
                got[m["params"]["uri"]] = m["params"]["diagnostics"]
        self.notes = []
        return got


def main():
    work = tempfile.mkdtemp(prefix="regula-lsp-")
    try:
        pack = os.path.join(work, "策略 pack")  # a folder name that needs percent-encoding
        shutil.copytree(os.path.join(ROOT, "policies"), pack)
        session(pack)
    finally:
        shutil.rmtree(work)
    finish(NAME)


def uri_of(path):
    from urllib.parse import quote
    return "file://" + quote(path)


def session(pack):
    s = Server()
    r = s.request("textDocument/hover", {"textDocument": {"uri": "file:///x.rg"}, "position": {"line": 0, "character": 0}})
    check("a request before initialize is refused (-32002)", r.get("error", {}).get("code") == -32002, r)

    r = s.request("initialize", {"processId": None, "rootUri": uri_of(pack), "capabilities": {}})
    caps = r.get("result", {}).get("capabilities", {})
    check("initialize: hover, definition, completion on '.', whole-text sync",
          caps.get("hoverProvider") and caps.get("definitionProvider")
          and "." in caps.get("completionProvider", {}).get("triggerCharacters", [])
          and caps.get("textDocumentSync", {}).get("change") == 1
          and r["result"].get("serverInfo", {}).get("name") == "regula", r)
    s.notify("initialized", {})

    cy_path = os.path.join(pack, "LN-CY.rg")
    cn_path = os.path.join(pack, "CN.rg")
    cy, cn = uri_of(cy_path), uri_of(cn_path)
    cy_text = open(cy_path, encoding="utf-8").read()
    cn_text = open(cn_path, encoding="utf-8").read()
    check("the URI of a folder with a Chinese name and a space is percent-encoded", "%E7%AD%96" in cy and "%20" in cy)

    s.notify("textDocument/didOpen", {"textDocument": {"uri": cy, "languageId": "regula", "version": 1, "text": cy_text}})
    d = s.diagnostics()
    check("didOpen of a good file publishes an empty list for it", d.get(cy) == [], d)

    # an error typed into the open document, unsaved: the buffer is compiled, not the file
    bad = cy_text.replace("param outpatient_cap_employee = ¥3000", 'param outpatient_cap_employee = "three"')
    s.notify("textDocument/didChange", {"textDocument": {"uri": cy, "version": 2}, "contentChanges": [{"text": bad}]})
    d = s.diagnostics().get(cy, [])
    line = bad.split("\n").index('  param outpatient_cap_employee = "three"')
    col = bad.split("\n")[line].index('"three"')
    want = [x for x in d if x["range"]["start"] == {"line": line, "character": col}]
    check("an unsaved error is published at its line and character", len(want) == 1 and want[0]["severity"] == 1
          and "is money, this override is string" in want[0]["message"] and want[0]["source"] == "regula", d)
    check("the range ends after the string", want and want[0]["range"]["end"] == {"line": line, "character": col + 7}, d)
    check("the file on disk is unchanged (the buffer was compiled)",
          open(cy_path, encoding="utf-8").read() == cy_text)

    # columns count UTF-16 units: an error after Chinese text on its line
    zh = cy_text + '\ndef 个人负担: money = cash + "元"\n'
    s.notify("textDocument/didChange", {"textDocument": {"uri": cy, "version": 3}, "contentChanges": [{"text": zh}]})
    d = s.diagnostics().get(cy, [])
    zline = zh.split("\n").index('def 个人负担: money = cash + "元"')
    zcol = utf16('def 个人负担: money = ')
    check("after Chinese text, the character counts UTF-16 units", any(
        x["range"]["start"] == {"line": zline, "character": zcol}
        and x["range"]["end"] == {"line": zline, "character": zcol + utf16('cash + "元"')} for x in d), d)

    # fixed: the list for the file is emptied
    s.notify("textDocument/didChange", {"textDocument": {"uri": cy, "version": 4}, "contentChanges": [{"text": cy_text}]})
    d = s.diagnostics()
    check("a fixed error is cleared (an empty list published)", d.get(cy) == [], d)

    # another open document's unsaved text counts for the folder: CN's parameter renamed
    # in its buffer makes LN-CY's override an error, published for LN-CY
    s.notify("textDocument/didOpen", {"textDocument": {"uri": cn, "languageId": "regula", "version": 1, "text": cn_text}})
    s.diagnostics()
    renamed = cn_text.replace("param outpatient_cap_employee: money", "param outpatient_cap_worker: money").replace(
        "then outpatient_cap_employee else", "then outpatient_cap_worker else")
    s.notify("textDocument/didChange", {"textDocument": {"uri": cn, "version": 2}, "contentChanges": [{"text": renamed}]})
    d = s.diagnostics()
    cyd = d.get(cy, [])
    check("an edit of CN's buffer is checked with LN-CY's: LN-CY gets the error",
          any("overrides 'outpatient_cap_employee', which" in x["message"] for x in cyd) and d.get(cn) == [], d)
    check("a hint follows the message, and is in data", all("\nhint: did you mean '" in x["message"]
          and x.get("data", {}).get("hint", "").startswith("did you mean") for x in cyd), cyd)
    check("... at both of LN-CY's overrides (versions 2024 and 2025)", sorted(x["range"]["start"]["line"] for x in cyd) ==
          [i for i, l in enumerate(cy_text.split("\n")) if "param outpatient_cap_employee" in l], cyd)
    s.notify("textDocument/didChange", {"textDocument": {"uri": cn, "version": 3}, "contentChanges": [{"text": cn_text}]})
    d = s.diagnostics()
    check("CN put back: LN-CY's errors are cleared", d.get(cy) == [], d)

    # a region's new name that is its parent's already: the related place
    clash = cy_text + "\nparam waiting_period: duration = 90 days\n"
    s.notify("textDocument/didChange", {"textDocument": {"uri": cy, "version": 5}, "contentChanges": [{"text": clash}]})
    d = s.diagnostics().get(cy, [])
    rel = [x for x in d if x.get("relatedInformation")]
    check("a clash with an inherited declaration points at it (relatedInformation in CN.rg)",
          rel and rel[0]["relatedInformation"][0]["location"]["uri"] == cn
          and rel[0]["relatedInformation"][0]["message"] == "declared here", d)
    s.notify("textDocument/didChange", {"textDocument": {"uri": cy, "version": 6}, "contentChanges": [{"text": cy_text}]})
    s.diagnostics()

    lines = cy_text.split("\n")

    def pos(text_lines, needle, word, nth=0):
        hits = [i for i, l in enumerate(text_lines) if needle in l]
        i = hits[nth]
        return {"line": i, "character": utf16(text_lines[i][:text_lines[i].index(word)]) + 1}

    def hover(uri, p):
        return s.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": p}).get("result")

    def definition(uri, p):
        return s.request("textDocument/definition", {"textDocument": {"uri": uri}, "position": p}).get("result")

    cn_lines = cn_text.split("\n")
    cn_line = lambda needle: [i for i, l in enumerate(cn_lines) if l.startswith(needle)][0]

    h = hover(cy, pos(lines, "param outpatient_cap_employee = ¥3000", "outpatient_cap_employee"))
    v = h and h["contents"]["value"]
    check("hover: a parameter's type and kind", v and v.startswith("`outpatient_cap_employee` : `money` — param"), h)
    check("hover: which policies and versions write it, to CN's declaration",
          v and "LN-CY version 2024 (LN-CY.rg:" in v and "LN-CY version 2025 (LN-CY.rg:" in v
          and "CN (CN.rg:%d)" % (cn_line("param outpatient_cap_employee") + 1) in v, v)
    check("hover: its value on the sample claim as LN-CY settles it, and the version that gave it",
          v and "settled by LN-CY as of 2024-03-05): `¥2500.00`, from version 2024" in v, v)
    check("hover: the range is the name", h and h["range"]["start"]["line"] == h["range"]["end"]["line"]
          and h["range"]["end"]["character"] - h["range"]["start"]["character"] == len("outpatient_cap_employee"), h)

    h = hover(cy, pos(lines, "given claim { visit.date = 2023-12-31 }", "date"))
    v = h and h["contents"]["value"]
    check("hover: a claim field (visit.date), its type, declaration and sample value",
          v and v.startswith("`visit.date` : `date` — claim field") and "declared by CN (CN.rg:" in v
          and 'in the sample claim: `"2024-03-05"`' in v, v)

    h = hover(cy, pos(lines, "| employee | L1        -> 60%", "employee"))
    v = h and h["contents"]["value"]
    check("hover: an enumeration member", v and "`employee` : `scheme` — member of enumeration scheme" in v, v)
    check("hover: a keyword has none", hover(cy, pos(lines, "version 2025 from", "version")) is None)
    check("hover: a comment has none", hover(cy, {"line": 0, "character": 5}) is None)

    h = hover(cy, pos(lines, "expect { deductible = ¥200", "deductible"))
    v = h and h["contents"]["value"]
    check("hover: a def of CN read in LN-CY, with its value there",
          v and v.startswith("`deductible` : `money` — def") and "`¥300.00`" in v, v)

    # go to definition
    r = definition(cy, {"line": lines.index("policy LN-CY extends LN"), "character": len("policy LN-CY extends L")})
    ln_lines = open(os.path.join(pack, "LN.rg"), encoding="utf-8").read().split("\n")
    check("definition of `extends LN`: LN's `policy LN`", r and r[0]["uri"] == uri_of(os.path.join(pack, "LN.rg"))
          and r[0]["range"]["start"] == {"line": ln_lines.index("policy LN extends CN"), "character": 7}, r)
    r = definition(cy, pos(lines, "param outpatient_cap_employee = ¥3000", "outpatient_cap_employee"))
    check("definition of an override: the declaration it overrides, in the base policy's file",
          r and r[0]["uri"] == cn and r[0]["range"]["start"]["line"] == cn_line("param outpatient_cap_employee"), r)
    r = definition(cy, pos(lines, "| employee | L1        -> 60%", "employee"))
    scheme = cn_line("enum scheme")
    check("definition of an enumeration member: the member in CN's enum",
          r and r[0]["uri"] == cn and r[0]["range"]["start"] == {
              "line": scheme, "character": utf16(cn_lines[scheme][:cn_lines[scheme].index("employee")])}, r)
    r = definition(cy, pos(lines, "given claim { visit.date = 2023-12-31 }", "visit"))
    check("definition of a claim field: its line of CN's claim", r and r[0]["uri"] == cn
          and cn_lines[r[0]["range"]["start"]["line"]].strip().startswith("visit:"), r)
    use = [i for i, l in enumerate(cn_lines) if "then outpatient_cap_employee else" in l][0]
    r = definition(cn, {"line": use, "character": cn_lines[use].index("outpatient_cap_employee") + 3})
    check("definition of a use in CN: CN's declaration", r and len(r) == 1
          and r[0]["range"]["start"]["line"] == cn_line("param outpatient_cap_employee"), r)

    # completion
    def complete(uri, text, line, character):
        s.notify("textDocument/didChange", {"textDocument": {"uri": uri}, "contentChanges": [{"text": text}]})
        return s.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                     "position": {"line": line, "character": character}})["result"]

    typing = cy_text + "\ndef x = person.\n"
    tl = typing.split("\n").index("def x = person.")
    items = complete(cy, typing, tl, len("def x = person."))["items"]
    labels = {i["label"]: i for i in items}
    check("completion after 'person.': the person record's fields", "scheme" in labels and "insured_region" in labels
          and labels["scheme"]["kind"] == 5 and labels["scheme"]["detail"] == "scheme", sorted(labels)[:20])
    check("... and nothing else", "outpatient_cap_employee" not in labels and "param" not in labels, sorted(labels))
    typing = cy_text + "\ndef x = outpatient_c\n"
    tl = typing.split("\n").index("def x = outpatient_c")
    items = complete(cy, typing, tl, len("def x = outpatient_c"))["items"]
    labels = {i["label"]: i for i in items}
    check("completion of a prefix: the definitions it starts", "outpatient_cap_employee" in labels
          and labels["outpatient_cap_employee"]["detail"] == "money" and all(l.startswith("outpatient_c") for l in labels),
          sorted(labels))
    typing = cy_text + "\ndef x = person.scheme == emp\n"
    tl = typing.split("\n").index("def x = person.scheme == emp")
    labels = {i["label"]: i for i in complete(cy, typing, tl, len("def x = person.scheme == emp"))["items"]}
    check("completion of an enumeration member", labels.get("employee", {}).get("kind") == 20, labels)
    typing = cy_text + "\n参\n"
    tl = typing.split("\n").index("参")
    labels = {i["label"]: i for i in complete(cy, typing, tl, 1)["items"]}
    check("completion of a Chinese keyword", labels.get("参数", {}).get("kind") == 14, labels)
    typing = cy_text + "\nupdate { yearly.\n"
    tl = typing.split("\n").index("update { yearly.")
    labels = {i["label"]: i for i in complete(cy, typing, tl, len("update { yearly."))["items"]}
    check("completion of a ledger's fields", "outpatient_fund_paid" in labels, sorted(labels))
    s.notify("textDocument/didChange", {"textDocument": {"uri": cy}, "contentChanges": [{"text": cy_text}]})
    s.diagnostics()

    # a catalog's unsaved text counts too: its errors are published for the CSV file
    csv_path = os.path.join(pack, "catalog", "CN.csv")
    csv, csv_text = uri_of(csv_path), open(csv_path, encoding="utf-8").read()
    first = csv_text.split("\n")[1]
    bad_csv = csv_text.replace(first, first + "abc", 1)
    s.notify("textDocument/didOpen", {"textDocument": {"uri": csv, "languageId": "csv", "version": 1, "text": bad_csv}})
    d = s.diagnostics().get(csv, [])
    check("an unsaved catalog's bad cell is published for the CSV, at its cell",
          len(d) == 1 and "column 'price_cap' must be money, not 'abc'" in d[0]["message"]
          and d[0]["range"]["start"] == {"line": 1, "character": utf16(first)}, d)
    s.notify("textDocument/didClose", {"textDocument": {"uri": csv}})
    d = s.diagnostics()
    check("closed, the catalog on disk counts again: its error is cleared", d.get(csv) == [], d)

    # a file changed on disk, not open: workspace/didChangeWatchedFiles checks again
    ly_path = os.path.join(pack, "LN-LY.rg")
    ly_text = open(ly_path, encoding="utf-8").read()
    with open(ly_path, "w", encoding="utf-8") as f:
        f.write(ly_text + "\nparam nothing_like_it = ¥1\n")
    s.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri_of(ly_path), "type": 2}]})
    d = s.diagnostics()
    check("a policy file changed on disk gets its errors", any(
        "overrides 'nothing_like_it'" in x["message"] for x in d.get(uri_of(ly_path), [])), d)
    with open(ly_path, "w", encoding="utf-8") as f:
        f.write(ly_text)
    s.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri_of(ly_path), "type": 2}]})
    d = s.diagnostics()
    check("... and loses them when it is put back", d.get(uri_of(ly_path)) == [], d)

    # closing: the file on disk counts again
    s.notify("textDocument/didChange", {"textDocument": {"uri": cy}, "contentChanges": [{"text": bad}]})
    check("an error again before closing", any(x["severity"] == 1 for x in s.diagnostics().get(cy, [])))
    s.notify("textDocument/didClose", {"textDocument": {"uri": cy}})
    d = s.diagnostics()
    check("didClose: the file on disk is checked again, and its errors cleared", d.get(cy) == [], d)

    # the protocol's errors
    r = s.request("textDocument/rename", {"textDocument": {"uri": cy}, "position": {"line": 0, "character": 0}})
    check("an unknown method is refused (-32601) and named", r.get("error", {}).get("code") == -32601
          and "textDocument/rename" in r["error"]["message"], r)
    r = s.request("textDocument/hover", {"textDocument": {"uri": cy}})
    check("a request without its position is refused (-32602)", r.get("error", {}).get("code") == -32602, r)
    s.send_bytes(b"{not json")
    m = s.read()
    check("a message that is not JSON is answered with -32700, and the server goes on",
          m and m.get("error", {}).get("code") == -32700 and m.get("id") is None, m)

    r = s.request("shutdown")
    check("shutdown answers null", "result" in r and r["result"] is None, r)
    s.notify("exit", None)
    try:
        code = s.p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        s.p.kill()
        code = None
    check("exit after shutdown ends the server with status 0", code == 0, code)
    err = s.p.stderr.read().decode()
    check("the message that was not JSON is named on standard error", "not JSON" in err, err)

    # exit without shutdown: status 1; end of input: status 1
    s2 = Server()
    s2.request("initialize", {"processId": None, "capabilities": {}})
    s2.notify("exit", None)
    check("exit without shutdown: status 1", s2.p.wait(timeout=10) == 1)

    out = subprocess.run([REGULA, "lsp", "--help"], capture_output=True, text=True)
    check("regula lsp --help describes it", out.returncode == 0 and "Language Server Protocol" in out.stdout, out)
    out = subprocess.run([REGULA, "lsp", "--tcp"], capture_output=True, text=True)
    check("an unknown option is a usage error", out.returncode == 2 and "unknown option '--tcp'" in out.stderr, out)


if __name__ == "__main__":
    main()
