"""textmate.py — a small TextMate grammar engine in Python, enough for the
constructs editors/vscode/syntaxes/regula.tmLanguage.json uses: match rules
with captures, begin/end rules (name, contentName, begin and end captures,
nested patterns), includes of the repository and $self, and the search
order editors use (at each position the rule whose match starts first wins,
the earlier-listed on a tie, an end pattern before the patterns inside it).
Oniguruma's \\x{HHHH} is rewritten for Python's re; nothing else differs in
the grammar's regexes. Used by grammar_test.py when vscode-textmate cannot
be installed, and always as the check of record.
"""
import json
import re


def _python_regex(src):
    return re.sub(r"\\x\{([0-9A-Fa-f]+)\}", lambda m: "\\U%08x" % int(m.group(1), 16), src)


class Grammar:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.g = json.load(f)
        self.scope = self.g["scopeName"]
        self._cache = {}

    def _re(self, src):
        if src not in self._cache:
            self._cache[src] = re.compile(_python_regex(src))
        return self._cache[src]

    def _expand(self, patterns, out=None):
        """The match and begin rules of a pattern list, includes resolved, in order."""
        out = [] if out is None else out
        for p in patterns:
            inc = p.get("include")
            if inc == "$self" or inc == "$base":
                self._expand(self.g["patterns"], out)
            elif inc and inc.startswith("#"):
                rule = self.g["repository"][inc[1:]]
                if "match" in rule or "begin" in rule:
                    out.append(rule)
                else:
                    self._expand(rule.get("patterns", []), out)
            elif "match" in p or "begin" in p:
                out.append(p)
            elif "patterns" in p:
                self._expand(p["patterns"], out)
        return out

    def tokenize(self, lines):
        """[(line, [(start, end, [scopes])])] — each line's tokens, the state kept across lines."""
        stack = []  # open begin rules: (rule, scopes inside it)
        result = []
        for line in lines:
            text = line + "\n"
            tokens = []
            pos = 0
            base = [self.scope]
            while pos < len(text):
                rule, inner = stack[-1] if stack else (None, base)
                patterns = self._expand(rule.get("patterns", []) if rule else self.g["patterns"])
                best = None  # (start, order, kind, rule, match)
                if rule:
                    m = self._re(rule["end"]).search(text, pos)
                    if m:
                        best = (m.start(), -1, "end", rule, m)
                for i, p in enumerate(patterns):
                    m = self._re(p.get("match") or p["begin"]).search(text, pos)
                    if m and (best is None or (m.start(), i) < best[:2]):
                        best = (m.start(), i, "begin" if "begin" in p else "match", p, m)
                if best is None:
                    tokens.append((pos, len(text), list(inner)))
                    break
                start, _, kind, p, m = best
                if start > pos:
                    tokens.append((pos, start, list(inner)))
                if kind == "end":
                    outer = inner[:-1] if p.get("contentName") else inner
                    self._captured(tokens, m, p.get("endCaptures", p.get("captures", {})), outer)
                    stack.pop()
                elif kind == "match":
                    scopes = inner + [p["name"]] if p.get("name") else inner
                    self._captured(tokens, m, p.get("captures", {}), scopes)
                else:
                    scopes = inner + [p["name"]] if p.get("name") else list(inner)
                    self._captured(tokens, m, p.get("beginCaptures", p.get("captures", {})), scopes)
                    stack.append((p, scopes + [p["contentName"]] if p.get("contentName") else scopes))
                if m.end() > pos or kind != "match":
                    pos = m.end()  # a zero-width begin or end changes the state: no loop
                else:  # a zero-width match: the character goes as it is
                    tokens.append((pos, pos + 1, list(inner)))
                    pos += 1
            result.append((line, [t for t in tokens if t[0] < len(line) and t[1] > t[0]]))
        return result

    @staticmethod
    def _captured(tokens, m, captures, scopes):
        """The match's text as tokens: SCOPES, with each captured group's name added on its span."""
        spans = []
        for k, c in captures.items():
            g = int(k)
            if g <= (m.re.groups) and m.start(g) >= 0 and m.end(g) > m.start(g) and c.get("name"):
                spans.append((m.start(g), m.end(g), c["name"]))
        cuts = sorted({m.start(), m.end()} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
        for a, b in zip(cuts, cuts[1:]):
            names = [n for s, e, n in sorted(spans, key=lambda x: (x[0], -x[1])) if s <= a and b <= e]
            tokens.append((a, b, scopes + names))


def scopes_at(tokens, start, end):
    """The scopes every character of [start, end) has: the tokens over it, intersected."""
    common = None
    for a, b, scopes in tokens:
        if a < end and b > start:
            common = set(scopes) if common is None else common & set(scopes)
    return common or set()
