#!/usr/bin/env python3
"""html_test.py PAGE NEW — opens the page `regula diff --html` wrote for the
fixture pack (tests/tools/pack) against NEW (its copy with AA's 2025 resident
ratio 65% and AA-B's cap 2,500) in headless Chromium, and checks what the
browser shows: the summary, the bars of the change by region, the histogram
of the change per claim, the biggest changes with their explanations, and
that the page asks for nothing over the network. One line per check; exit 1
when any failed, 2 when Chromium does not run."""
import html.parser, os, re, subprocess, sys, tempfile

from checks import check, done

page, new = sys.argv[1], sys.argv[2]


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], ""

    def all(self, tag=None, cls=None):
        for c in self.children:
            if (tag is None or c.tag == tag) and (cls is None or cls in c.attrs.get("class", "").split()):
                yield c
            yield from c.all(tag, cls)

    def first(self, tag=None, cls=None, id=None):
        for n in self.all(tag, cls):
            if id is None or n.attrs.get("id") == id:
                return n
        return None

    def content(self):
        return self.text + "".join(c.content() for c in self.children)


class Dom(html.parser.HTMLParser):
    VOID = {"meta", "br", "img", "input", "link", "hr", "line", "rect", "path", "circle"}

    def __init__(self):
        super().__init__()
        self.root = self.cur = Node("#root", {}, None)

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in self.VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        t = Node("#text", {}, self.cur)
        t.text = data
        self.cur.children.append(t)


profile = tempfile.mkdtemp(prefix="regula-chromium-")
cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--user-data-dir=" + profile, "--dump-dom", "file://" + os.path.abspath(page)]
try:
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
except (OSError, subprocess.TimeoutExpired) as e:
    print("FAILED  chromium did not run: %s" % e)
    sys.exit(2)
finally:
    subprocess.run(["rm", "-rf", profile])
check("chromium opens the page", run.returncode == 0 and "<body" in run.stdout, run.stderr[-400:])
dom = Dom()
dom.feed(run.stdout)
root = dom.root

title = root.first("title")
check("the title names both packs", title and title.content() == "regula diff: tests/tools/pack → " + new,
      title and title.content())
changed = root.first(id="changed")
check("the lead says 3 claims changed", changed and changed.content() == "3 claims changed", changed and changed.content())
diff = root.first(id="key-difference")
check("the fund's difference is +¥550.00", diff and diff.content() == "+¥550.00", diff and diff.content())

# the change by region: one bar a region, as long as its change, coloured by its sign
bars = {g.attrs.get("data-region"): g for g in root.all("g", "region")}
want = {"AA-B": 53000, "AA": 2000, "CN": 0}
check("the region chart has a bar for each region", set(bars) == set(want), sorted(bars))
got = {r: int(g.attrs.get("data-change-fen", "x")) for r, g in bars.items() if r in want}
check("each region's bar carries its change in fen", got == want, got)
width = {r: int(g.first("rect").attrs["width"]) for r, g in bars.items() if g.first("rect")}
check("the bars are as long as the changes: AA-B > AA > CN = 0",
      width.get("AA-B", 0) > width.get("AA", 0) > width.get("CN", 1) == 0, width)
check("a gain is drawn as one", all("up" in g.first("rect").attrs["class"].split() for r, g in bars.items() if want.get(r)),
      [g.first("rect").attrs for g in bars.values()])
check("the region labels read as amounts", any(t.content() == "+¥530.00" for t in root.all("text", "amount")),
      [t.content() for t in root.all("text", "amount")])

# the change per claim: every changed claim in one bucket
buckets = list(root.all("rect", "bucket"))
counts = [int(b.attrs["data-count"]) for b in buckets]
check("the histogram counts the 3 changed claims", sum(counts) == 3 and len(buckets) >= 2, counts)
for change in (50000, 3000, 2000):
    inside = [b for b in buckets if int(b.attrs["data-from-fen"]) <= change <= int(b.attrs["data-to-fen"])]
    check("a change of %d fen falls in a counted bucket" % change, len(inside) == 1 and int(inside[0].attrs["data-count"]) >= 1,
          [b.attrs for b in buckets])

# the biggest changes, biggest first, with their explanations
claims = list(root.all("article", "claim"))
check("the biggest changes are lines 6, 7 and 3, in that order", [a.attrs.get("data-line") for a in claims] == ["6", "7", "3"],
      [a.attrs.get("data-line") for a in claims])
b3 = claims[1] if len(claims) > 1 else None
rows = [[td.content().strip() for td in tr.all("td")] for tr in b3.first("table", "differ").all("tr")] if b3 else []
ratio = [r for r in rows if r and r[0] == "ratio"]
check("B3's explanation shows the ratio from 60% to 65%, from AA's version 2025",
      ratio and ratio[0][1] == "60%" and ratio[0][2] == "65%" and ratio[0][4].startswith("AA 2025"), rows)
b2 = claims[0] if claims else None
rows = [[td.content().strip() for td in tr.all("td")] for tr in b2.first("table", "differ").all("tr")] if b2 else []
cap = [r for r in rows if r and r[0] == "cap"]
check("B2's explanation shows AA-B's cap from 2,000.00 to 2,500.00", cap and cap[0][1:3] == ["2000.00", "2500.00"], rows)
check("every step is there too, folded", b2 is not None and b2.first("details") is not None and
      len(list(b2.first("table", "all").all("tr"))) > len(rows))

# self-contained: nothing from the network, no script
text = open(page, encoding="utf-8").read()
check("no script", "<script" not in text.lower())
refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text) + re.findall(r"url\(([^)]*)\)|@import", text)
check("no resource is fetched", not refs, refs)
check("the charts are inline SVG", len(list(root.all("svg"))) == 2)

done("html")
