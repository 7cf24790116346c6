// tokenize.js GRAMMAR — the TextMate grammar applied by vscode-textmate with
// vscode-oniguruma (VS Code's own engine): reads {"documents": [[line, …], …]}
// on standard input, writes [[[start, end, [scope, …]], …] per line] per
// document, offsets in code points (as Python counts them). A backend of
// grammar_test.py; the modules come from NODE_PATH (run.sh installs them).
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const onig = require("vscode-oniguruma");

async function main() {
  const grammarPath = process.argv[2];
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new onig.OnigScanner(sources),
      createOnigString: (s) => new onig.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === "source.regula" ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath) : null,
  });
  const grammar = await registry.loadGrammar("source.regula");
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  const out = input.documents.map((lines) => {
    let state = vsctm.INITIAL;
    return lines.map((line) => {
      const r = grammar.tokenizeLine(line, state);
      state = r.ruleStack;
      const cp = (i) => Array.from(line.slice(0, i)).length;
      return r.tokens.map((t) => [cp(t.startIndex), cp(Math.min(t.endIndex, line.length)), t.scopes]);
    });
  });
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(2);
});
