#!/usr/bin/env python3
"""man_test.py REGULA MANPAGE COMPLETION — the man page renders without a
warning (groff -ww) and through `man -l`; it has a subsection for every
command `regula --help` lists, and describes in it every option that
command's --help names; the bash completion offers every command, every
option of each, and the values of --format. One line per check; exit 1 on a
failure."""
import os, re, shutil, subprocess, sys

from checks import check, done

regula, page, completion = sys.argv[1], sys.argv[2], sys.argv[3]


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


commands = re.findall(r"^  ([a-z]+)  ", run([regula, "--help"]).stdout, re.M)
check("regula --help lists its commands", len(commands) >= 9, commands)
options = {}
for c in commands:
    text = run([regula, c, "--help"]).stdout
    options[c] = sorted(set(re.findall(r"(?:^|[\[ |,(])(--?[a-zA-Z][-a-zA-Z]*)", text)) - {"--help", "-h"})

# it renders: groff says nothing, man shows it
g = run(["groff", "-man", "-Tutf8", "-ww", "-z", page]) if shutil.which("groff") else None
check("groff -ww renders the page without a warning", g is not None and g.returncode == 0 and not g.stderr.strip(),
      g and g.stderr)
m = run(["man", "-l", page], env=dict(os.environ, MANWIDTH="300", MANPAGER="cat", PAGER="cat", LANG="C.UTF-8")) \
    if shutil.which("man") else None
text = m.stdout if m and m.returncode == 0 else run(["groff", "-man", "-Tutf8", "-P", "-cbou", page]).stdout
check("man -l shows the page", m is not None and m.returncode == 0 and "REGULA(1)" in text, m and m.stderr)

# a subsection a command, and each of its options in it
heads = [(mo.start(), mo.group(1)) for mo in re.finditer(r"^   regula ([a-z]+)\b", text, re.M)]
sections = {}
for i, (at, name) in enumerate(heads):
    end = heads[i + 1][0] if i + 1 < len(heads) else text.find("\nEXIT STATUS")
    sections[name] = text[at:end]
for c in commands:
    check("the man page describes regula %s" % c, c in sections, sorted(sections))
    missing = [o for o in options[c] if not re.search(r"(?<![-\w])%s(?![-\w])" % re.escape(o), sections.get(c, ""))]
    check("... and every option of its --help (%s)" % " ".join(options[c]) if options[c] else "... (it has no options)",
          not missing, missing)
check("the man page has no command regula lacks", set(sections) <= set(commands), sorted(set(sections) - set(commands)))


# the bash completion
def complete(*words):
    script = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _regula; ' \
             'printf "%s\\n" "${COMPREPLY[@]}"'
    r = run(["bash", "-c", script, "bash", completion, regula] + list(words))
    return r.stdout.split()


got = complete("")
check("completion offers every command", set(commands) <= set(got), got)
for c in commands:
    got = complete(c, "-")
    check("completion offers every option of regula %s" % c, set(options[c]) <= set(got), (options[c], got))
check("completion offers the values of --format", complete("check", "--format", "") == ["text", "json"],
      complete("check", "--format", ""))
check("completion offers a claims file after the packs of diff",
      "tests/tools/claims.jsonl" in complete("diff", "tests/tools/pack", "tests/tools/pack", "tests/tools/cl"),
      complete("diff", "tests/tools/pack", "tests/tools/pack", "tests/tools/cl"))
r = run(["bash", "-c", 'source "$1"; complete -p regula', "bash", completion])
check("the completion is registered for regula", r.returncode == 0 and "_regula" in r.stdout, r.stdout + r.stderr)
done("man and completion")
