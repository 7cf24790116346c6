// extension.js — the VS Code side of Regula: starts `regula lsp` (the
// language server, on standard input and output) for .rg files. Everything
// the editor shows about the language comes from the server; highlighting
// from syntaxes/regula.tmLanguage.json.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("regula").get("path") || "regula";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "regula",
    "Regula",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "regula" }],
      // the server compiles a policy's whole folder: a change to a catalog counts when the policy is checked again
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{rg,csv}") },
    }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start().catch((err) => {
    vscode.window.showErrorMessage(
      `Regula: could not start '${command} lsp' (${err.message}). Set regula.path to the regula program ` +
        "(make install puts it in /usr/local/bin; a checkout builds build/regula)."
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
