// Finding and running the `privacy-lens` binary.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";

export const BINARY = "privacy-lens";

/** Where the install instructions are: the bundled README, section "Installing the server"
 * (vsce stores it as `readme.md`). */
export function installInstructionsUri(extensionUri: vscode.Uri): vscode.Uri {
  for (const name of ["README.md", "readme.md"]) {
    const uri = vscode.Uri.joinPath(extensionUri, name);
    if (fs.existsSync(uri.fsPath)) {
      return uri;
    }
  }
  return vscode.Uri.joinPath(extensionUri, "README.md");
}

/** The binary to run: the `privacy-lens.server.path` setting, else `privacy-lens` on `PATH`. */
export interface Resolved {
  /** Absolute path, or undefined when nothing was found. */
  path?: string;
  /** What was looked for, for messages. */
  wanted: string;
  /** Whether the path came from the setting. */
  fromSetting: boolean;
}

export function resolveServer(config: vscode.WorkspaceConfiguration): Resolved {
  const configured = (config.get<string>("server.path") ?? "").trim();
  if (configured) {
    const expanded = expand(configured);
    return { path: isExecutable(expanded) ? expanded : undefined, wanted: expanded, fromSetting: true };
  }
  return { path: searchPath(BINARY), wanted: BINARY, fromSetting: false };
}

function expand(value: string): string {
  let out = value;
  if (out === "~" || out.startsWith("~/")) {
    out = path.join(os.homedir(), out.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder) {
    out = out.replace(/\$\{workspaceFolder\}/g, folder);
  }
  if (!path.isAbsolute(out) && folder && out.includes(path.sep)) {
    out = path.join(folder, out);
  }
  return out;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function searchPath(name: string): string | undefined {
  if (path.isAbsolute(name)) {
    return isExecutable(name) ? name : undefined;
  }
  const exts = process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE").split(";") : [""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the binary with `args`; never rejects for a non-zero exit status. */
export function run(binary: string, args: string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** clap's message for a subcommand this binary does not have. */
export function isUnknownSubcommand(result: RunResult): boolean {
  return result.code === 2 && /unrecognized subcommand|unexpected argument/i.test(result.stderr);
}
