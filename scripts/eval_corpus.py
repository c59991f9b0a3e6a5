#!/usr/bin/env python3
"""Score privacy-lens against the labelled development corpus.

The corpus manifest (dev-corpus.json) holds only identifiers (repo, commit,
path) and line numbers; the repository trees live in a cache outside this
repository (default /work/eval-cache/trees/<owner>__<name>@<commit[:12]>/).
See scripts/README.md for how to populate the cache and read the numbers.

Usage:
  python3 scripts/eval_corpus.py [--corpus PATH] [--trees DIR] [--binary PATH]
                                 [--language python|javascript|typescript|all]
                                 [--mode file|repo] [--verbose]
  python3 scripts/eval_corpus.py --populate [--mirrors PATH]   # extract trees
  python3 scripts/eval_corpus.py --self-test                   # scoring checks

Exit status: 0 after printing a report (whatever the numbers), 2 when inputs
are missing (corpus, binary, trees or labelled files), 1 when --self-test fails.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parent
DEFAULT_CORPUS = (REPO_ROOT / ".." / "shared" / "eval" / "dev-corpus.json").resolve()
DEFAULT_TREES = Path("/work/eval-cache/trees")
DEFAULT_MIRRORS = Path("/work/eval-cache/mirrors.json")
DEFAULT_MIRROR_ROOT = Path("/work/.mirror")
DEFAULT_BINARY = REPO_ROOT / "target" / "release" / "privacy-lens"
LANGUAGES = ("python", "javascript", "typescript")
DIFFICULTIES = ("easy", "medium", "hard")
CHECK_TIMEOUT_S = 600


# --------------------------------------------------------------------------
# Corpus helpers
# --------------------------------------------------------------------------

def tree_name(repo: str, commit: str) -> str:
    return f"{repo.replace('/', '__')}@{commit[:12]}"


def entry_id(e: dict) -> str:
    return f"{e['repo']}:{e['path']}"


def label_lines(label: dict) -> list[int]:
    return [label["sink_line"]] + [l for l in label.get("alt_sink_lines", []) if l != label["sink_line"]]


# Labelling rule 5: `user.demographic.age` stands for fideslang's
# `age_range` and `date_of_birth`.
CATEGORY_ALIASES = {
    "user.demographic.age": ("user.demographic.age_range", "user.demographic.date_of_birth"),
}


def cat_overlap(a: str, b: str) -> bool:
    """Dotted-segment prefix match in either direction (user.contact ~ user.contact.email)."""
    a, b = a.strip(), b.strip()
    for x, y in ((a, b), (b, a)):
        if any(cat_overlap(alias, y) for alias in CATEGORY_ALIASES.get(x, ())):
            return True
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def any_overlap(labelled: list[str], reported: list[str]) -> bool:
    return any(cat_overlap(x, y) for x in labelled for y in reported)


def norm_path(p: str | None, tree: Path | None) -> str | None:
    """Finding paths are relative to the working directory (the tree) when under it."""
    if p is None:
        return None
    p = p.replace("\\", "/")
    if tree is not None and os.path.isabs(p):
        try:
            p = os.path.relpath(p, os.path.realpath(tree))
        except ValueError:
            pass
        p = p.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return os.path.normpath(p).replace("\\", "/") if p else p


# --------------------------------------------------------------------------
# Scoring (pure: entry + findings list -> EntryResult)
# --------------------------------------------------------------------------

@dataclass
class Group:
    """All flow findings reported on one start line of the labelled file."""
    line: int
    findings: list = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        out: list[str] = []
        for f in self.findings:
            for c in f.get("categories") or []:
                if c not in out:
                    out.append(c)
        return out

    @property
    def kinds(self) -> list[str]:
        out: list[str] = []
        for f in self.findings:
            k = (f.get("sink") or {}).get("kind")
            if k and k not in out:
                out.append(k)
        return out

    @property
    def codes(self) -> list[str]:
        return sorted({f.get("code", "?") for f in self.findings})

    def sources(self, default_path: str) -> list[tuple[str, int]]:
        out = []
        for f in self.findings:
            for s in f.get("sources") or []:
                if isinstance(s.get("line"), int):
                    out.append((s.get("_npath") or default_path, s["line"]))
        return out


@dataclass
class LabelResult:
    label: dict
    group: Group | None = None       # matched group (TP) or None (FN)
    near: Group | None = None        # a group on a valid line whose categories did not overlap

    @property
    def tp(self) -> bool:
        return self.group is not None

    @property
    def cross_file(self) -> bool:
        return bool(self.label.get("cross_file_sources"))

    def category_hits(self) -> tuple[int, int]:
        cats = self.label.get("categories", [])
        if not self.group:
            return 0, len(cats)
        rep = self.group.categories
        return sum(1 for c in cats if any(cat_overlap(c, r) for r in rep)), len(cats)

    def source_hit(self, path: str) -> bool:
        if not self.group:
            return False
        ok = {(path, l) for l in self.label.get("source_lines", [])}
        for x in self.label.get("cross_file_sources", []) or []:
            ok |= {(norm_path(x["path"], None), l) for l in x.get("lines", [])}
        return any(s in ok for s in self.group.sources(path))

    def cross_source_hit(self) -> bool:
        if not self.group or not self.cross_file:
            return False
        ok = set()
        for x in self.label["cross_file_sources"]:
            ok |= {(norm_path(x["path"], None), l) for l in x.get("lines", [])}
        return any(s in ok for s in self.group.sources("\0"))

    def kind_agrees(self) -> bool:
        return bool(self.group) and self.label.get("sink_kind") in self.group.kinds


@dataclass
class EntryResult:
    entry: dict
    labels: list[LabelResult]
    tp_groups: list[Group]
    fp_groups: list[Group]
    dontcare_groups: list[Group]
    dup_alt_fp: int = 0              # FPs on a valid line of an already matched label
    nonflow_ignored: int = 0         # findings without `sink` in the file (tag findings)
    error: str | None = None

    @property
    def n_tp(self) -> int:
        return sum(1 for l in self.labels if l.tp)

    @property
    def n_fn(self) -> int:
        return sum(1 for l in self.labels if not l.tp)


def score_entry(entry: dict, findings: list[dict], tree: Path | None = None, error: str | None = None) -> EntryResult:
    path = norm_path(entry["path"], None)
    groups: dict[int, Group] = {}
    nonflow = 0
    for f in findings:
        if norm_path(f.get("path"), tree) != path:
            continue
        if not f.get("sink"):
            nonflow += 1
            continue
        try:
            line = int(f["range"]["start"]["line"])
        except (KeyError, TypeError, ValueError):
            continue
        f = dict(f)
        srcs = []
        for s in f.get("sources") or []:
            s = dict(s)
            s["_npath"] = norm_path(s.get("path"), tree) or path
            srcs.append(s)
        f["sources"] = srcs
        groups.setdefault(line, Group(line)).findings.append(f)

    labels = [LabelResult(l) for l in entry.get("findings", [])]
    used: set[int] = set()
    # Pass 1 prefers each label's primary sink_line, pass 2 its alternates;
    # within a pass, labels are taken in manifest order. A line group matches
    # at most one label, each label at most one group.
    for primary in (True, False):
        for lr in labels:
            if lr.tp:
                continue
            cands = [lr.label["sink_line"]] if primary else label_lines(lr.label)[1:]
            for ln in cands:
                g = groups.get(ln)
                if g is None or ln in used:
                    continue
                if any_overlap(lr.label.get("categories", []), g.categories):
                    lr.group = g
                    used.add(ln)
                    break
    for lr in labels:
        if not lr.tp:
            for ln in label_lines(lr.label):
                if ln in groups and ln not in used:
                    lr.near = groups[ln]
                    break

    dont_care = set(entry.get("dont_care_lines", []) or [])
    matched_alt_lines = {ln for lr in labels if lr.tp for ln in label_lines(lr.label)}
    tp_groups, fp_groups, dc_groups, dup = [], [], [], 0
    for ln in sorted(groups):
        g = groups[ln]
        if ln in used:
            tp_groups.append(g)
        elif ln in dont_care:
            dc_groups.append(g)
        else:
            fp_groups.append(g)
            if ln in matched_alt_lines:
                dup += 1
    return EntryResult(entry, labels, tp_groups, fp_groups, dc_groups, dup, nonflow, error)


# --------------------------------------------------------------------------
# Aggregation and report
# --------------------------------------------------------------------------

def ratio(n: int, d: int) -> str:
    return f"{n / d:6.1%} ({n}/{d})" if d else "   n/a (0/0)"


@dataclass
class Tally:
    tp: int = 0       # matched labels
    fn: int = 0
    fp: int = 0       # unmatched reported line groups
    tpg: int = 0      # matched reported line groups

    def add(self, r: EntryResult):
        self.tp += r.n_tp
        self.fn += r.n_fn
        self.fp += len(r.fp_groups)
        self.tpg += len(r.tp_groups)

    def line(self, name: str) -> str:
        return (f"  {name:<28} precision {ratio(self.tpg, self.tpg + self.fp):<18} "
                f"recall {ratio(self.tp, self.tp + self.fn):<18} TP {self.tp} FP {self.fp} FN {self.fn}")


def summarize(results: list[EntryResult]) -> dict:
    overall = Tally()
    by_lang: dict[str, Tally] = defaultdict(Tally)
    by_diff: dict[str, Tally] = defaultdict(Tally)
    by_scen: dict[str, Tally] = defaultdict(Tally)
    for r in results:
        overall.add(r)
        by_lang[r.entry.get("language", "?")].add(r)
        by_diff[r.entry.get("difficulty", "?")].add(r)
        by_scen[r.entry.get("scenario", "?")].add(r)
    all_labels = [(r, lr) for r in results for lr in r.labels]
    tps = [(r, lr) for r, lr in all_labels if lr.tp]
    xf = [(r, lr) for r, lr in all_labels if lr.cross_file]
    cat_hit = sum(lr.category_hits()[0] for _, lr in tps)
    cat_tot = sum(lr.category_hits()[1] for _, lr in tps)
    negs = [r for r in results if not r.entry.get("findings")]
    return {
        "overall": overall, "by_lang": by_lang, "by_diff": by_diff, "by_scen": by_scen,
        "labels": len(all_labels), "tp": len(tps),
        "xf_total": len(xf), "xf_tp": sum(1 for _, lr in xf if lr.tp),
        "xf_src_hit": sum(1 for _, lr in xf if lr.cross_source_hit()),
        "cat_hit": cat_hit, "cat_tot": cat_tot,
        "src_hit": sum(1 for r, lr in tps if lr.source_hit(norm_path(r.entry["path"], None))),
        "kind_hit": sum(1 for _, lr in tps if lr.kind_agrees()),
        "dontcare": sum(len(r.dontcare_groups) for r in results),
        "dup_alt": sum(r.dup_alt_fp for r in results),
        "neg_total": len(negs), "neg_clean": sum(1 for r in negs if not r.fp_groups and not r.error),
        "neg_err": sum(1 for r in negs if r.error),
        "neg_fp": sum(len(r.fp_groups) for r in negs),
        "nonflow": sum(r.nonflow_ignored for r in results),
        "errors": [r for r in results if r.error],
    }


def fmt_group(g: Group) -> str:
    return f"L{g.line} {'+'.join(g.codes)} {'/'.join(g.kinds) or '?'} [{', '.join(g.categories)}]"


def print_report(results: list[EntryResult], verbose: bool) -> dict:
    s = summarize(results)
    o: Tally = s["overall"]
    print("== Overall ==")
    print(o.line("all"))
    print(f"  {'':<28} labels {s['labels']}; reported line groups: matched {o.tpg}, FP {o.fp}, "
          f"on dont_care lines (ignored) {s['dontcare']}")
    if s["dup_alt"]:
        print(f"  {'':<28} of the FPs, {s['dup_alt']} are on an alternate line of an already matched label")
    print(f"  {'negatives':<28} clean {s['neg_clean']}/{s['neg_total']} entries, {s['neg_fp']} FP"
          + (f", {s['neg_err']} not run (errors)" if s["neg_err"] else ""))
    print("== By language ==")
    for k in LANGUAGES:
        if k in s["by_lang"]:
            print(s["by_lang"][k].line(k))
    print("== By difficulty ==")
    for k in DIFFICULTIES:
        if k in s["by_diff"]:
            print(s["by_diff"][k].line(k))
    print("== By scenario ==")
    for k in sorted(s["by_scen"]):
        print(s["by_scen"][k].line(k))
    print("== Flow details (over TPs unless stated) ==")
    print(f"  {'cross-file labels recall':<28} {ratio(s['xf_tp'], s['xf_total'])}")
    print(f"  {'cross-file source found':<28} {ratio(s['xf_src_hit'], s['xf_total'])}  (of all cross-file labels)")
    print(f"  {'category recall':<28} {ratio(s['cat_hit'], s['cat_tot'])}  (labelled categories on TPs)")
    print(f"  {'source-line accuracy':<28} {ratio(s['src_hit'], s['tp'])}")
    print(f"  {'sink-kind agreement':<28} {ratio(s['kind_hit'], s['tp'])}")
    if s["nonflow"]:
        print(f"  non-flow findings (no sink) in labelled files, not scored: {s['nonflow']}")
    if s["errors"]:
        print(f"== Errors: {len(s['errors'])} entries had a failed or unparsable check run (scored as no findings) ==")
        seen = set()
        for r in s["errors"]:
            if r.error not in seen:
                seen.add(r.error)
                print(f"  {entry_id(r.entry)}: {r.error}")
    if verbose:
        print("== Per entry ==")
        for r in results:
            e = r.entry
            exp = ", ".join(
                f"{l['sink_line']}" + (f"|{'|'.join(map(str, l['alt_sink_lines']))}" if l.get("alt_sink_lines") else "")
                for l in e.get("findings", [])) or "-"
            rep = ", ".join(str(g.line) for g in r.tp_groups + r.fp_groups + r.dontcare_groups) or "-"
            status = f"TP {r.n_tp} FP {len(r.fp_groups)} FN {r.n_fn}"
            print(f"- {e['repo']} {e['path']}  [{e.get('language')}/{e.get('difficulty')}/{e.get('scenario')}]")
            print(f"    expected {exp}; reported {rep}; {status}"
                  + (f"; dont_care {sorted(e.get('dont_care_lines', []))}" if e.get("dont_care_lines") else ""))
            path = norm_path(e["path"], None)
            for lr in r.labels:
                l = lr.label
                lab = f"L{l['sink_line']} {l['sink_kind']} [{', '.join(l.get('categories', []))}]"
                if lr.tp:
                    hit, tot = lr.category_hits()
                    srcs = sorted({ln for p, ln in lr.group.sources(path) if p == path})
                    print(f"    TP  {lab}\n        got {fmt_group(lr.group)}; categories {hit}/{tot}; "
                          f"kind {'ok' if lr.kind_agrees() else 'differs'}; sources {srcs or '-'} "
                          f"{'ok' if lr.source_hit(path) else 'miss'} (want {l.get('source_lines')})")
                else:
                    why = f"; reported on line but no category overlap: {fmt_group(lr.near)}" if lr.near else ""
                    print(f"    FN  {lab}{' cross-file' if lr.cross_file else ''}{why}")
            for g in r.fp_groups:
                print(f"    FP  {fmt_group(g)}")
            for g in r.dontcare_groups:
                print(f"    --  {fmt_group(g)} (dont_care)")
            if r.error:
                print(f"    ERR {r.error}")
    return s


# --------------------------------------------------------------------------
# Running the binary
# --------------------------------------------------------------------------

def run_check(binary: Path, cwd: Path, target: str) -> tuple[list[dict], str | None]:
    cmd = [str(binary), "check", "--format", "json", "--no-progress", "--fail-on", "error", target]
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return [], f"timeout after {CHECK_TIMEOUT_S}s: {shlex.join(cmd)}"
    except OSError as exc:
        return [], f"could not run {binary}: {exc}"
    err_tail = " | ".join(p.stderr.strip().splitlines()[-3:])
    if p.returncode not in (0, 1):
        return [], f"exit {p.returncode}: {err_tail or '(no stderr)'}"
    if not p.stdout.strip():
        return [], f"exit {p.returncode} with empty stdout (engine not wired yet?){': ' + err_tail if err_tail else ''}"
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError as exc:
        return [], f"stdout is not JSON ({exc}); starts {p.stdout[:60]!r}"
    fs = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(fs, list):
        return [], "JSON has no findings[] array"
    return fs, None


def binary_version(binary: Path) -> str:
    try:
        p = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
        v = (p.stdout or p.stderr).strip().splitlines()
        return v[0] if v else f"(no output, exit {p.returncode})"
    except Exception as exc:  # noqa: BLE001 - report only
        return f"(unknown: {exc})"


def git_state() -> str:
    try:
        head = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
        return f"{head}{' (dirty)' if dirty else ''}" if head else "(not a git checkout)"
    except Exception:  # noqa: BLE001
        return "(unknown)"


# --------------------------------------------------------------------------
# Populating the tree cache from mirrors
# --------------------------------------------------------------------------

def extract_tree(git_dir: str, commit: str, dest: Path) -> tuple[int, int]:
    """Write the commit's files to dest; blobs absent from the mirror are skipped.
    Returns (written, skipped)."""
    ls = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "--full-tree", commit],
                        capture_output=True, check=True).stdout
    items = []
    for rec in ls.split(b"\0"):
        if not rec:
            continue
        meta, name = rec.split(b"\t", 1)
        mode, typ, oid = meta.split()
        if typ == b"blob":
            items.append((mode.decode(), oid.decode(), name.decode("utf-8", "surrogateescape")))
    tmp = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    written = skipped = 0
    proc = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        for mode, oid, name in items:
            proc.stdin.write(oid.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                skipped += 1
                continue
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # trailing LF
            out = tmp / name
            if not out.resolve().is_relative_to(tmp.resolve()):
                skipped += 1
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                continue  # symlinks are not recreated (never followed out of the tree)
            out.write_bytes(data)
            if mode == "100755":
                out.chmod(0o755)
            written += 1
    finally:
        proc.stdin.close()
        proc.wait()
    tmp.rename(dest)
    return written, skipped


def populate(corpus: list[dict], trees: Path, mirrors_file: Path) -> int:
    mirrors = {}
    if mirrors_file.is_file():
        mirrors = json.loads(mirrors_file.read_text())
    trees.mkdir(parents=True, exist_ok=True)
    problems = 0
    pairs = sorted({(e["repo"], e["commit"]) for e in corpus})
    new_map = dict(mirrors)
    for repo, commit in pairs:
        git_dir = mirrors.get(repo) or str(DEFAULT_MIRROR_ROOT / repo.replace("/", "+") / "repo")
        dest = trees / tree_name(repo, commit)
        if dest.is_dir():
            print(f"ok       {repo}@{commit[:12]} (already extracted)")
            new_map.setdefault(repo, git_dir)
            continue
        if not Path(git_dir).is_dir():
            print(f"NO MIRROR {repo}: {git_dir} does not exist (fetch github:{repo} first)")
            problems += 1
            continue
        new_map[repo] = git_dir
        if subprocess.run(["git", "--git-dir", git_dir, "cat-file", "-e", commit + "^{commit}"],
                          capture_output=True).returncode != 0:
            print(f"NO COMMIT {repo}@{commit} is not in {git_dir}")
            problems += 1
            continue
        w, s = extract_tree(git_dir, commit, dest)
        print(f"ok       {repo}@{commit[:12]} -> {dest} ({w} files{f', {s} absent from mirror' if s else ''})")
    mirrors_file.parent.mkdir(parents=True, exist_ok=True)
    mirrors_file.write_text(json.dumps(dict(sorted(new_map.items())), indent=1) + "\n")
    print(f"wrote {mirrors_file}")
    for e in corpus:
        f = trees / tree_name(e["repo"], e["commit"]) / e["path"]
        if (trees / tree_name(e["repo"], e["commit"])).is_dir() and not f.is_file():
            print(f"MISSING FILE {entry_id(e)} at {e['commit'][:12]}")
            problems += 1
    return 2 if problems else 0


# --------------------------------------------------------------------------
# Self-test of the scoring logic (fake findings, no binary needed)
# --------------------------------------------------------------------------

def _f(path, line, kind="llm_inference", cats=("user.content",), code="PL101", sources=(), sink=True):
    return {"code": code, "path": path, "range": {"start": {"line": line, "column": 1}, "end": {"line": line, "column": 9}},
            "sink": {"kind": kind, "api": "x"} if sink else None, "categories": list(cats),
            "sources": [{"path": p, "line": l} for p, l in sources]}


def self_test() -> int:
    fails = []

    def check(name, got, want):
        if got != want:
            fails.append(f"{name}: got {got!r}, want {want!r}")

    check("prefix a<b", cat_overlap("user.contact", "user.contact.email"), True)
    check("prefix b<a", cat_overlap("user.contact.email", "user.contact"), True)
    check("segment", cat_overlap("user.contact", "user.contactless"), False)
    check("siblings", cat_overlap("user.contact.email", "user.contact.phone_number"), False)
    check("norm ./", norm_path("./a/b.py", None), "a/b.py")
    check("norm abs", norm_path("/t/x/a/b.py", Path("/t/x")), "a/b.py")

    e1 = {"repo": "o/r", "commit": "0" * 40, "path": "app/x.py", "language": "python", "difficulty": "easy",
          "scenario": "llm_prompt",
          "findings": [
              {"sink_line": 10, "sink_kind": "llm_inference", "categories": ["user.contact.email", "user.name"],
               "source_lines": [3, 4]},
              {"sink_line": 20, "alt_sink_lines": [25], "sink_kind": "training",
               "categories": ["user.health_and_medical"], "source_lines": [15],
               "cross_file_sources": [{"path": "lib/y.py", "lines": [7]}]},
              {"sink_line": 30, "sink_kind": "embedding", "categories": ["user.content"], "source_lines": [29]},
          ],
          "dont_care_lines": [40]}
    fake = {"version": 1, "findings": [
        # label 1: two findings on the same line (PL101 + PL110) -> one TP, no FP
        _f("app/x.py", 10, cats=["user.contact"], sources=[("app/x.py", 4)]),
        _f("./app/x.py", 10, code="PL110", cats=["user.financial"]),
        # label 2 on its alternate line, wrong kind, cross-file source reported
        _f("app/x.py", 25, kind="local_inference", cats=["user.health_and_medical.condition"],
           sources=[("lib/y.py", 7)]),
        # ... and again on its primary line: a duplicate of the matched flow -> FP (dup-alt)
        _f("app/x.py", 20, kind="training", cats=["user.health_and_medical"]),
        # label 3: right line, no category overlap -> FN + FP
        _f("app/x.py", 30, kind="embedding", cats=["user.financial"]),
        # dont_care line -> ignored
        _f("app/x.py", 40, cats=["user.content"]),
        # stray finding -> FP
        _f("app/x.py", 50, cats=["user.content"]),
        # other file -> not scored for this entry
        _f("lib/y.py", 7, cats=["user.content"]),
        # tag finding (no sink) -> not scored
        _f("app/x.py", 1, sink=False),
    ]}
    # pass 1 prefers the primary line: label 2 takes line 20, line 25 becomes the dup-alt FP
    r1 = score_entry(e1, fake["findings"])
    check("tp", r1.n_tp, 2)
    check("fn", r1.n_fn, 1)
    check("tp groups", [g.line for g in r1.tp_groups], [10, 20])
    check("fp groups", [g.line for g in r1.fp_groups], [25, 30, 50])
    check("dont care", [g.line for g in r1.dontcare_groups], [40])
    check("dup alt", r1.dup_alt_fp, 1)
    check("nonflow", r1.nonflow_ignored, 1)
    check("near miss", r1.labels[2].near.line if r1.labels[2].near else None, 30)
    check("cat hits label1", r1.labels[0].category_hits(), (1, 2))
    check("src hit label1", r1.labels[0].source_hit("app/x.py"), True)
    check("kind label1", r1.labels[0].kind_agrees(), True)
    check("kind label2", r1.labels[1].kind_agrees(), True)
    check("src hit label2", r1.labels[1].source_hit("app/x.py"), False)

    # only the alternate line reported: matches via alt; cross-file source counts
    r2 = score_entry(e1, [f for f in fake["findings"] if f["range"]["start"]["line"] != 20])
    check("alt tp", [g.line for g in r2.tp_groups], [10, 25])
    check("alt kind", r2.labels[1].kind_agrees(), False)
    check("alt src (cross-file)", r2.labels[1].source_hit("app/x.py"), True)
    check("alt xf src", r2.labels[1].cross_source_hit(), True)
    check("alt dup", r2.dup_alt_fp, 0)

    neg = {"repo": "o/r", "commit": "0" * 40, "path": "n.py", "language": "python", "difficulty": "hard",
           "scenario": "negative_sanitized", "findings": [], "dont_care_lines": [5]}
    r3 = score_entry(neg, [_f("n.py", 5), _f("n.py", 9), _f("n.py", 9, code="PL110")])
    check("neg fp", [g.line for g in r3.fp_groups], [9])
    check("neg dc", [g.line for g in r3.dontcare_groups], [5])

    s = summarize([r1, r3])
    o = s["overall"]
    check("sum tp/fn/fp/tpg", (o.tp, o.fn, o.fp, o.tpg), (2, 1, 4, 2))
    check("sum cat", (s["cat_hit"], s["cat_tot"]), (2, 3))
    check("sum src", s["src_hit"], 1)
    check("sum kind", s["kind_hit"], 2)
    check("sum xf", (s["xf_tp"], s["xf_total"], s["xf_src_hit"]), (1, 1, 0))
    check("sum neg", (s["neg_clean"], s["neg_total"], s["neg_fp"]), (0, 1, 1))
    check("by lang", s["by_lang"]["python"].tp, 2)
    check("by diff", (s["by_diff"]["easy"].fp, s["by_diff"]["hard"].fp), (3, 1))

    if fails:
        print("self-test FAILED:")
        for x in fails:
            print("  " + x)
        return 1
    print(f"self-test passed ({'scoring'} on fake findings JSON)")
    return 0


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def die(msg: str) -> "None":
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--trees", type=Path, default=DEFAULT_TREES)
    ap.add_argument("--binary", type=Path, default=DEFAULT_BINARY)
    ap.add_argument("--language", choices=LANGUAGES + ("all",), default="all")
    ap.add_argument("--mode", choices=("file", "repo"), default="file",
                    help="file: check the labelled file alone; repo: check the whole tree, keep the labelled file's findings")
    ap.add_argument("--verbose", "-v", action="store_true", help="per-entry table")
    ap.add_argument("--save-json", type=Path, metavar="DIR",
                    help="also write each raw check output to DIR (for debugging)")
    ap.add_argument("--populate", action="store_true",
                    help="extract every corpus tree from its git mirror into --trees, then exit")
    ap.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS,
                    help="JSON map repo -> bare git dir (for --populate)")
    ap.add_argument("--self-test", action="store_true", help="check the scoring logic on fake findings and exit")
    args = ap.parse_args()

    if args.self_test:
        return self_test()

    if not args.corpus.is_file():
        die(f"corpus not found: {args.corpus} (pass --corpus PATH)")
    try:
        corpus = json.loads(args.corpus.read_text())
    except json.JSONDecodeError as exc:
        die(f"corpus {args.corpus} is not valid JSON: {exc}")

    if args.populate:
        return populate(corpus, args.trees, args.mirrors)

    entries = [e for e in corpus if args.language == "all" or e.get("language") == args.language]
    populate_hint = (f"populate the cache with: python3 {Path(sys.argv[0]).as_posix()} --populate "
                     f"--trees {args.trees} --mirrors {args.mirrors}  (see scripts/README.md)")
    if not args.trees.is_dir():
        die(f"tree cache not found: {args.trees}\n  {populate_hint}")
    missing = []
    for e in entries:
        t = args.trees / tree_name(e["repo"], e["commit"])
        if not t.is_dir():
            missing.append(f"tree {t}")
        elif not (t / e["path"]).is_file():
            missing.append(f"file {t / e['path']}")
    if missing:
        die("missing inputs:\n  " + "\n  ".join(sorted(set(missing))) + f"\n  {populate_hint}")
    if not (args.binary.is_file() and os.access(args.binary, os.X_OK)):
        die(f"binary not found or not executable: {args.binary} (run `cargo build --release` or pass --binary)")
    if args.save_json:
        args.save_json.mkdir(parents=True, exist_ok=True)

    corpus_sha = hashlib.sha256(args.corpus.read_bytes()).hexdigest()[:12]
    print(f"command: {shlex.join(['python3'] + sys.argv)}")
    print(f"binary:  {args.binary} -> {binary_version(args.binary)} (privacy-lens checkout {git_state()})")
    print(f"corpus:  {args.corpus} sha256:{corpus_sha} ({len(entries)}/{len(corpus)} entries, "
          f"language={args.language}, mode={args.mode})")
    print(f"trees:   {args.trees}")

    results = []
    repo_cache: dict[str, tuple[list[dict], str | None]] = {}
    for e in entries:
        tree = args.trees / tree_name(e["repo"], e["commit"])
        if args.mode == "file":
            findings, err = run_check(args.binary, tree, e["path"])
            key = f"{tree.name}__{e['path'].replace('/', '_')}"
        else:
            key = tree.name
            if key not in repo_cache:
                repo_cache[key] = run_check(args.binary, tree, ".")
            findings, err = repo_cache[key]
        if args.save_json:
            (args.save_json / f"{args.mode}__{key}.json").write_text(
                json.dumps({"error": err, "findings": findings}, indent=1))
        results.append(score_entry(e, findings, tree, err))
    print_report(results, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
