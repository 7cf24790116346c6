#!/usr/bin/env python3
"""grammar_test.py [--node NODE_MODULES | --skip-node REASON] — the TextMate
grammar of editors/vscode against the seed pack, with two engines: this
folder's textmate.py (always) and VS Code's own, vscode-textmate with
vscode-oniguruma through node (when run.sh could install them; else the
reason it could not is printed as a skip). With each engine:

- every line of policies/*.rg and of the ```regula examples of
  docs/language.md tokenizes without an "invalid" scope;
- every keyword of lang/keywords.c, English and Chinese, alone on a line, is
  scoped as a keyword, and a name is not;
- the spot checks of expected.json (keyword, money, percent, date, duration,
  string, comment, template expression, the invalid scopes of mistakes).

Closing line "grammar: N passed, M failed"; exit 1 on a failure.
"""
import glob
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
GRAMMAR = os.path.join(ROOT, "editors", "vscode", "syntaxes", "regula.tmLanguage.json")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
from checks import check, finish  # noqa: E402
from textmate import Grammar, scopes_at  # noqa: E402

def python_engine(documents):
    g = Grammar(GRAMMAR)
    return [[toks for _, toks in g.tokenize(lines)] for lines in documents]


def node_engine(modules):
    def run(documents):
        env = dict(os.environ, NODE_PATH=modules)
        r = subprocess.run(["node", os.path.join(HERE, "tokenize.js"), GRAMMAR], input=json.dumps({"documents": documents}),
                           capture_output=True, text=True, env=env, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("node tokenize.js failed: " + r.stderr)
        return [[[(a, b, s) for a, b, s in line] for line in doc] for doc in json.loads(r.stdout)]
    return run


def keywords():
    """The words of lang/keywords.c's table, its \\x escapes decoded."""
    src = open(os.path.join(ROOT, "lang", "keywords.c"), encoding="utf-8").read()
    words = re.findall(r'^\s*K\("((?:[^"\\]|\\x[0-9a-f]{2})+)", [A-Z_]+\)', src, re.M)
    return [re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), w.encode()).decode("utf-8")
            for w in words]


def doc_examples():
    text = open(os.path.join(ROOT, "docs", "language.md"), encoding="utf-8").read()
    return re.findall(r"^```regula\n(.*?)^```", text, re.M | re.S)


def suite(engine, label):
    files = sorted(glob.glob(os.path.join(ROOT, "policies", "*.rg")))
    documents = [open(f, encoding="utf-8").read().split("\n") for f in files]
    names = [os.path.relpath(f, ROOT) for f in files]
    for i, block in enumerate(doc_examples()):
        documents.append(block.rstrip("\n").split("\n"))
        names.append("docs/language.md example %d" % (i + 1))
    kws = keywords()
    documents.append(kws + ["outpatient_cap", "门诊起付线"])
    names.append("keywords")
    spots = json.load(open(os.path.join(HERE, "expected.json"), encoding="utf-8"))["checks"]
    texts = {}
    for c in spots:
        if "text" in c:
            texts.setdefault(c["text"], len(texts))
    documents.extend([[t] for t in texts])
    try:
        tokens = engine(documents)
    except Exception as e:  # the engine itself failed: say so once
        check("%s: tokenizes" % label, False, e)
        return

    for name, lines, toks in zip(names, documents, tokens):
        if name == "keywords":
            continue
        bad = [(n + 1, lines[n][a:b], s) for n, line_toks in enumerate(toks) for a, b, s in line_toks
               if any(x.startswith("invalid") for x in s)]
        check("%s: %s has no invalid scope (%d lines)" % (label, name, len(lines)), not bad, bad[:5])
    files_of = {n: d for n, d in zip(names, documents)}
    toks_of = {n: t for n, t in zip(names, tokens)}

    kw_toks = toks_of["keywords"]
    kinds = ("keyword.", "storage.", "constant.language.")
    not_kw = [kws[i] for i in range(len(kws))
              if not any(s.startswith(kinds) for s in scopes_at(kw_toks[i], 0, len(kws[i])))]
    check("%s: all %d keywords of lang/keywords.c are keywords (English and Chinese)" % (label, len(kws)),
          not not_kw and len(kws) > 80, not_kw)
    names_scoped = [scopes_at(kw_toks[len(kws) + k], 0, len(w)) for k, w in enumerate(["outpatient_cap", "门诊起付线"])]
    check("%s: names are not keywords" % label, all("variable.other.regula" in s for s in names_scoped), names_scoped)

    base = len(names)  # the texts follow the named documents
    for c in spots:
        if "text" in c:
            lines, toks, n = [c["text"]], tokens[base + texts[c["text"]]], 0
            where = "%r" % c["text"]
        else:
            doc = "docs/language.md" if c["file"] == "docs/language.md" else c["file"]
            if doc == "docs/language.md":
                cands = [k for k in files_of if k.startswith("docs/language.md")]
            else:
                cands = [doc]
            found = None
            for k in cands:
                for n, line in enumerate(files_of[k]):
                    if c["line"] in line:
                        found = (files_of[k], toks_of[k], n)
                        break
                if found:
                    break
            if not found:
                check("%s: %s has a line with %r" % (label, c["file"], c["line"]), False)
                continue
            lines, toks, n = found
            where = "%s:%d" % (c["file"], n + 1)
        line = lines[n]
        at = -1
        for _ in range(c.get("nth", 0) + 1):
            at = line.find(c["token"], at + 1)
        scopes = scopes_at(toks[n], at, at + len(c["token"])) if at >= 0 else set()
        check("%s: %s %r is %s" % (label, where, c["token"], c["scope"]),
              any(s.startswith(c["scope"]) for s in scopes), sorted(scopes))


def main():
    args = sys.argv[1:]
    suite(python_engine, "textmate.py")
    if args[:1] == ["--node"]:
        suite(node_engine(args[1]), "vscode-textmate")
    elif args[:1] == ["--skip-node"]:
        print("skipped vscode-textmate (VS Code's engine): " + args[1])
    finish("grammar")


if __name__ == "__main__":
    main()
