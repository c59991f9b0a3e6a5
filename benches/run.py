#!/usr/bin/env python3
"""Throughput benchmark for `privacy-lens check`.

Prepares pinned corpora of real published code (benches/corpus.toml) in a
cache outside the repository, builds the release binary, and measures, for
each corpus and thread count:

* `privacy-lens check --parse-only ...`  walk + read + tree-sitter parse only
* `privacy-lens check ...`               the full check

It prints a Markdown table (lines/s, check/parse ratio, peak RSS) and writes
the same data, with every sample, as JSON under <cache>/results/.

Standard library only; Python >= 3.11 (tomllib). See benches/README.md.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime as _dt
import functools
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_FILE = REPO / "benches" / "corpus.toml"
CACHE_ENV = "PRIVACY_LENS_BENCH_CACHE"
DEFAULT_CACHE = Path("~/.cache/privacy-lens-bench").expanduser()
MIN_LINES = 200_000  # the floor for a corpus
PARSE_TARGET_RATIO = 2.0  # check time must stay under 2x parse-only time
PREP_FORMAT = 1  # bump to force re-extraction of every package


class BenchError(Exception):
    """A failure to report in one line, without a traceback."""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Corpus description
# ---------------------------------------------------------------------------


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """`**/` = any folders, `**` = anything, `*`/`?` never cross `/`."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


@dataclasses.dataclass
class Package:
    corpus: str  # section name: "python", "npm"
    kind: str  # "pypi" | "npm"
    spec: str  # "Django==5.1.4" | "@langchain/core@1.4.0"
    name: str
    version: str
    include: list[str]
    exclude: list[str]
    sha256: str | None = None  # pypi: archive sha256
    integrity: str | None = None  # npm: SRI string "sha512-..."
    lines: int | None = None  # expected line count after filtering
    dist: str = "wheel"  # pypi only: "wheel" | "sdist"
    strip_prefix: str = ""  # removed from selected paths when unpacking (e.g. "dist/")

    @property
    def dirname(self) -> str:
        safe = self.name.lstrip("@").replace("/", "-")
        return f"{safe}-{self.version}"

    def fingerprint(self) -> dict:
        return {
            "format": PREP_FORMAT,
            "spec": self.spec,
            "dist": self.dist,
            "strip_prefix": self.strip_prefix,
            "include": self.include,
            "exclude": self.exclude,
            "sha256": self.sha256,
            "integrity": self.integrity,
        }

    def wanted(self, relpath: str) -> bool:
        inc, exc = self._patterns
        return any(r.match(relpath) for r in inc) and not any(r.match(relpath) for r in exc)

    @functools.cached_property
    def _patterns(self) -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
        return [glob_to_regex(p) for p in self.include], [glob_to_regex(p) for p in self.exclude]


@dataclasses.dataclass
class Corpus:
    key: str
    label: str
    kind: str
    enabled: bool
    packages: list[Package]


def parse_spec(kind: str, spec: str) -> tuple[str, str]:
    if kind == "pypi":
        name, sep, version = spec.partition("==")
    else:  # npm: last '@' separates the version; a leading '@' is the scope
        name, sep, version = spec.rpartition("@")
    if not sep or not name or not version:
        raise BenchError(f"corpus: cannot read pinned spec {spec!r} (want name==version / name@version)")
    return name.strip(), version.strip()


def load_corpora(path: Path) -> dict[str, Corpus]:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise BenchError(f"cannot read {path}: {e}") from e
    corpora: dict[str, Corpus] = {}
    for key, sec in data.items():
        if not isinstance(sec, dict) or "packages" not in sec:
            continue
        kind = sec.get("kind", "pypi" if key == "python" else key)
        if kind not in ("pypi", "npm"):
            raise BenchError(f"corpus [{key}]: unknown kind {kind!r}")
        pkgs = []
        for entry in sec["packages"]:
            name, version = parse_spec(kind, entry["spec"])
            pkgs.append(
                Package(
                    corpus=key,
                    kind=kind,
                    spec=entry["spec"],
                    name=name,
                    version=version,
                    include=list(entry.get("include", sec.get("include", ["**"]))),
                    exclude=list(entry.get("exclude", sec.get("exclude", []))),
                    sha256=entry.get("sha256"),
                    integrity=entry.get("integrity"),
                    lines=entry.get("lines"),
                    dist=entry.get("dist", sec.get("dist", "wheel")),
                    strip_prefix=entry.get("strip_prefix", ""),
                )
            )
        corpora[key] = Corpus(key, sec.get("label", key), kind, bool(sec.get("enabled", True)), pkgs)
    if not corpora:
        raise BenchError(f"{path}: no corpus sections with packages")
    return corpora


# ---------------------------------------------------------------------------
# Preparation: download pinned archives, unpack the selected sources
# ---------------------------------------------------------------------------


def count_lines(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def safe_relpath(name: str) -> str | None:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        return None
    return p.as_posix()


def iter_archive(path: Path):
    """Yield (relpath, bytes) for regular files of a zip / tar archive."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                yield info.filename, zf.read(info)
    else:
        with tarfile.open(path) as tf:
            for m in tf.getmembers():
                if not m.isfile():
                    continue
                f = tf.extractfile(m)
                if f is not None:
                    yield m.name, f.read()


def download_pypi(pkg: Package, dest: Path) -> Path:
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", "-d", tmp]
        if pkg.dist == "sdist":
            cmd += ["--no-binary=:all:"]
        else:
            cmd += ["--only-binary=:all:"]
        cmd.append(pkg.spec)
        r = subprocess.run(cmd, capture_output=True, text=True)
        files = list(Path(tmp).iterdir())
        if r.returncode != 0 or len(files) != 1:
            raise BenchError(f"pip download {pkg.spec} failed:\n{r.stdout}{r.stderr}")
        target = dest / files[0].name
        shutil.move(files[0], target)
        return target


def download_npm(pkg: Package, dest: Path) -> Path:
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        cmd = ["npm", "pack", "--json", "--pack-destination", tmp, pkg.spec]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
        files = list(Path(tmp).glob("*.tgz"))
        if r.returncode != 0 or len(files) != 1:
            raise BenchError(f"npm pack {pkg.spec} failed:\n{r.stdout}{r.stderr}")
        target = dest / files[0].name
        shutil.move(files[0], target)
        return target


def verify_archive(pkg: Package, archive: Path) -> dict:
    data = archive.read_bytes()
    got = {"sha256": hashlib.sha256(data).hexdigest(), "integrity": sri_sha512(data)}
    if pkg.kind == "pypi" and pkg.sha256 and pkg.sha256 != got["sha256"]:
        raise BenchError(f"{pkg.spec}: sha256 mismatch for {archive.name}: pinned {pkg.sha256}, got {got['sha256']}")
    if pkg.kind == "npm" and pkg.integrity and pkg.integrity != got["integrity"]:
        raise BenchError(f"{pkg.spec}: integrity mismatch for {archive.name}: pinned {pkg.integrity}, got {got['integrity']}")
    return got


def prepare_package(pkg: Package, cache: Path) -> dict:
    """Make <cache>/<corpus>/<dirname>/ hold exactly the selected files. Idempotent."""
    out_dir = cache / pkg.corpus / pkg.dirname
    state_file = cache / "state" / pkg.corpus / f"{pkg.dirname}.json"
    fp = pkg.fingerprint()
    if state_file.exists() and out_dir.is_dir():
        try:
            state = json.loads(state_file.read_text())
            if state.get("fingerprint") == fp:
                return state
        except (OSError, json.JSONDecodeError):
            pass

    dl_dir = cache / "downloads" / pkg.corpus
    dl_dir.mkdir(parents=True, exist_ok=True)
    archive = None
    if state_file.exists():  # same archive, different filters: reuse the download
        try:
            prev = Path(json.loads(state_file.read_text()).get("archive", ""))
            if prev.is_file() and prev.parent == dl_dir:
                archive = prev
        except (OSError, json.JSONDecodeError):
            pass
    if archive is not None:
        try:
            hashes = verify_archive(pkg, archive)
        except BenchError:
            archive = None
    if archive is None:
        log(f"  downloading {pkg.spec}")
        archive = download_pypi(pkg, dl_dir) if pkg.kind == "pypi" else download_npm(pkg, dl_dir)
        try:
            hashes = verify_archive(pkg, archive)
        except BenchError:
            archive.unlink()  # never leave an unverified archive in the cache
            raise

    tmp_dir = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    files = lines = nbytes = 0
    sdist_or_npm = pkg.kind == "npm" or pkg.dist == "sdist"
    for name, data in iter_archive(archive):
        rel = safe_relpath(name)
        if rel is None:
            continue
        if sdist_or_npm:  # tarballs wrap everything in one top folder
            parts = rel.split("/", 1)
            if len(parts) < 2:
                continue
            rel = parts[1]
        if not pkg.wanted(rel):
            continue
        if pkg.strip_prefix and rel.startswith(pkg.strip_prefix):
            rel = rel[len(pkg.strip_prefix):]
        target = tmp_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files += 1
        lines += count_lines(data)
        nbytes += len(data)
    if files == 0:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise BenchError(f"{pkg.spec}: no file in {archive.name} matches include={pkg.include} exclude={pkg.exclude}")
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp_dir.rename(out_dir)

    state = {
        "fingerprint": fp,
        "archive": str(archive),
        "archive_sha256": hashes["sha256"],
        "archive_integrity": hashes["integrity"],
        "files": files,
        "lines": lines,
        "bytes": nbytes,
    }
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state, indent=2) + "\n")
    return state


def prepare_corpus(corpus: Corpus, cache: Path) -> dict:
    log(f"preparing corpus [{corpus.key}] in {cache / corpus.key}")
    root = cache / corpus.key
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    missing_pins = []
    for pkg in corpus.packages:
        st = prepare_package(pkg, cache)
        if pkg.lines is not None and pkg.lines != st["lines"]:
            log(f"  warning: {pkg.spec}: corpus.toml says {pkg.lines} lines, unpacked {st['lines']}")
        pinned = pkg.sha256 if pkg.kind == "pypi" else pkg.integrity
        if not pinned or pkg.lines is None:
            missing_pins.append((pkg, st))
        rows.append({"spec": pkg.spec, "dir": pkg.dirname, "files": st["files"], "lines": st["lines"], "bytes": st["bytes"]})
    # Anything else under <cache>/<corpus>/ would be scanned too: remove it.
    keep = {p.dirname for p in corpus.packages}
    for child in root.iterdir():
        if child.name not in keep:
            log(f"  removing stale {child}")
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    total = {k: sum(r[k] for r in rows) for k in ("files", "lines", "bytes")}
    if total["lines"] < MIN_LINES:
        log(f"  warning: corpus [{corpus.key}] has {total['lines']} lines, below the {MIN_LINES} floor")
    for pkg, st in missing_pins:
        key = "sha256" if pkg.kind == "pypi" else "integrity"
        val = st["archive_sha256"] if pkg.kind == "pypi" else st["archive_integrity"]
        log(f"  pins for corpus.toml:\n    spec = \"{pkg.spec}\"\n    {key} = \"{val}\"\n    lines = {st['lines']}")
    return {"corpus": corpus.key, "label": corpus.label, "dir": str(root), "packages": rows, **total}


def corpus_markdown(prep: dict) -> str:
    out = [f"Corpus `{prep['corpus']}` ({prep['label']}): {prep['dir']}", "",
           "| package | files | lines |", "| --- | ---: | ---: |"]
    for r in prep["packages"]:
        out.append(f"| {r['spec']} | {r['files']:,} | {r['lines']:,} |")
    out.append(f"| **total** | **{prep['files']:,}** | **{prep['lines']:,}** |")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Running the binary
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Sample:
    wall: float
    user: float
    sys: float
    max_rss_kb: int
    exit_code: int


def run_measured(cmd: list[str], stdout_path: Path | None) -> tuple[Sample, str]:
    """Run cmd, return wall time and the child's rusage via os.wait4 (exact, no /usr/bin/time needed)."""
    with tempfile.TemporaryFile() as err:
        out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
        try:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            _, status, ru = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
        finally:
            if stdout_path:
                out.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    rss = ru.ru_maxrss // 1024 if sys.platform == "darwin" else ru.ru_maxrss  # bytes on macOS, KiB on Linux
    return Sample(wall, ru.ru_utime, ru.ru_stime, int(rss), proc.returncode), stderr


def git_describe() -> dict:
    def g(*args):
        r = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    return {"commit": g("rev-parse", "HEAD"), "dirty": bool(g("status", "--porcelain", "--untracked-files=no"))}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def busy_cpus(window: float = 1.0) -> float | None:
    """CPUs' worth of time spent busy over `window` seconds (Linux /proc/stat; else 1-min load average)."""
    def sample():
        with open("/proc/stat") as f:
            vals = [int(v) for v in f.readline().split()[1:]]
        idle = vals[3] + (vals[4] if len(vals) > 4 else 0)  # idle + iowait
        return sum(vals), idle
    try:
        t0, i0 = sample()
        time.sleep(window)
        t1, i1 = sample()
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    total = t1 - t0
    return (os.cpu_count() or 1) * (total - (i1 - i0)) / total if total > 0 else None


def build_release() -> None:
    log("building: cargo build --release --bin privacy-lens")
    r = subprocess.run(["cargo", "build", "--release", "--bin", "privacy-lens"], cwd=REPO)
    if r.returncode != 0:
        raise BenchError("cargo build --release failed")


# ---------------------------------------------------------------------------
# Suites. Each suite gets the same context; add new ones to SUITES.
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Context:
    args: argparse.Namespace
    binary: Path
    cache: Path
    corpora: list[Corpus]
    prepared: dict[str, dict]  # corpus key -> prepare_corpus() result


class Suite:
    name = ""
    description = ""
    implemented = True

    def run(self, ctx: Context) -> dict:  # returns {"markdown": str, "json": dict}
        raise NotImplementedError


class ThroughputSuite(Suite):
    name = "throughput"
    description = "lines/s of `check`, and check time / parse-only time on the same files"

    def _cmd(self, ctx: Context, corpus_dir: Path, threads: int, parse_only: bool) -> list[str]:
        cmd = [str(ctx.binary), "check"]
        if parse_only:
            cmd.append("--parse-only")
        cmd += ["--no-progress", "--threads", str(threads), "--format", "json"]
        if not parse_only:
            cmd += ["--fail-on", "error"]
        cmd.append(str(corpus_dir))
        return cmd

    def _parse_once(self, ctx, corpus_dir, threads, tmp: Path) -> tuple[Sample, dict]:
        out = tmp / "parse.json"
        cmd = self._cmd(ctx, corpus_dir, threads, True)
        s, stderr = run_measured(cmd, out)
        text = out.read_text(errors="replace")
        if s.exit_code != 0:
            raise BenchError(f"parse-only run failed (exit {s.exit_code}): {' '.join(cmd)}\n{stderr.strip()}")
        try:
            report = json.loads(text)
        except json.JSONDecodeError:  # tolerate log lines around the object
            m = re.search(r"\{.*\}", text, re.S)
            if not m:
                raise BenchError(f"parse-only output is not JSON: {text[:300]!r}")
            report = json.loads(m.group(0))
        return s, report

    def _check_once(self, ctx, corpus_dir, threads, stdout_path: Path | None) -> Sample:
        cmd = self._cmd(ctx, corpus_dir, threads, False)
        s, stderr = run_measured(cmd, stdout_path)
        if s.exit_code not in (0, 1):  # 1 = findings at/above --fail-on
            raise BenchError(f"check run failed (exit {s.exit_code}): {' '.join(cmd)}\n{stderr.strip()}")
        return s

    def run(self, ctx: Context) -> dict:
        a = ctx.args
        rows, skipped = [], []
        with tempfile.TemporaryDirectory(prefix="pl-bench-") as tmps:
            tmp = Path(tmps)
            for corpus in ctx.corpora:
                prep = ctx.prepared[corpus.key]
                cdir = Path(prep["dir"])
                for threads in a.threads:
                    log(f"[{corpus.key}] threads={threads}: warm-up")
                    _, report = self._parse_once(ctx, cdir, threads, tmp)
                    if not report.get("files"):
                        log(f"[{corpus.key}] the binary found no files to parse: language not supported yet, skipping")
                        skipped.append({"corpus": corpus.key, "label": corpus.label, "reason": "binary found no supported files"})
                        break
                    findings_file = tmp / "check.json"
                    self._check_once(ctx, cdir, threads, findings_file)
                    findings, summary = read_check_report(findings_file)
                    if summary and summary.get("files") not in (None, report.get("files")):
                        log(f"[{corpus.key}] warning: check reports {summary.get('files')} files, "
                            f"parse-only {report.get('files')}: the two do not see the same input")
                    for _ in range(a.warmup - 1):
                        self._parse_once(ctx, cdir, threads, tmp)
                        self._check_once(ctx, cdir, threads, None)
                    parse_s, check_s, internal = [], [], []
                    for i in range(a.runs):  # interleave so drift hits both alike
                        s, rep = self._parse_once(ctx, cdir, threads, tmp)
                        parse_s.append(s)
                        if isinstance(rep.get("seconds"), (int, float)):
                            internal.append(float(rep["seconds"]))
                        check_s.append(self._check_once(ctx, cdir, threads, None))
                        log(f"[{corpus.key}] threads={threads} run {i + 1}/{a.runs}: "
                            f"parse-only {s.wall:.3f}s, check {check_s[-1].wall:.3f}s")
                    rows.append(summarize(corpus, prep, threads, report, parse_s, check_s, internal, findings, summary))
        return {"markdown": throughput_markdown(rows, skipped, a.runs), "json": {"rows": rows, "skipped": skipped}}


class PlannedSuite(Suite):
    """Registered so the CLI and README have one place for it; not implemented yet."""
    implemented = False

    def __init__(self, name: str, description: str):
        self.name, self.description = name, description

    def run(self, ctx: Context) -> dict:
        raise BenchError(f"suite {self.name!r} is not implemented yet ({self.description})")


SUITES: dict[str, Suite] = {
    s.name: s
    for s in (
        ThroughputSuite(),
        # Same corpora, same machine: `semgrep --config <equivalent rules>` wall time
        # and RSS next to `privacy-lens check`.
        PlannedSuite("semgrep", "compare check against Semgrep on the same corpus"),
        # Drive `privacy-lens lsp` over stdio: open a large file from the corpus,
        # apply edits, time edit -> publishDiagnostics (p50/p95).
        PlannedSuite("lsp-latency", "edit-to-diagnostics latency of the language server"),
    )
}


def read_check_report(path: Path) -> tuple[int | None, dict | None]:
    """(number of findings, summary object) from a `check --format json` report, when readable."""
    try:
        data = json.loads(path.read_text(errors="replace"))
    except (OSError, json.JSONDecodeError):
        return None, None
    if isinstance(data, list):
        return len(data), None
    if not isinstance(data, dict):
        return None, None
    findings = data.get("findings")
    summary = data.get("summary") if isinstance(data.get("summary"), dict) else None
    return (len(findings) if isinstance(findings, list) else None), summary


def summarize(corpus, prep, threads, report, parse_s, check_s, internal, findings, summary) -> dict:
    med = lambda xs: statistics.median(xs)  # noqa: E731
    p_wall = [s.wall for s in parse_s]
    c_wall = [s.wall for s in check_s]
    lines = int(report.get("lines") or prep["lines"])
    files = int(report.get("files") or prep["files"])
    row = {
        "corpus": corpus.key,
        "label": corpus.label,
        "files": files,
        "lines": lines,
        "bytes": report.get("bytes", prep["bytes"]),
        "prepared_files": prep["files"],
        "prepared_lines": prep["lines"],
        "threads": threads,
        "parse_only_s": {"median": med(p_wall), "best": min(p_wall), "samples": p_wall},
        "parse_only_internal_s": {"median": med(internal), "best": min(internal), "samples": internal} if internal else None,
        "check_s": {"median": med(c_wall), "best": min(c_wall), "samples": c_wall},
        # CPU seconds (user + sys of the process): steadier than wall time on a busy machine.
        "parse_only_cpu_s": {"median": med([s.user + s.sys for s in parse_s])},
        "check_cpu_s": {"median": med([s.user + s.sys for s in check_s])},
        "ratio_cpu_check_over_parse": med([s.user + s.sys for s in check_s]) / max(1e-9, med([s.user + s.sys for s in parse_s])),
        "lines_per_s": {"median": lines / med(c_wall), "best": lines / min(c_wall)},
        "ratio_check_over_parse": {"median": med(c_wall) / med(p_wall), "best": min(c_wall) / min(p_wall)},
        "peak_rss_mb": {
            "check": max(s.max_rss_kb for s in check_s) / 1024,
            "parse_only": max(s.max_rss_kb for s in parse_s) / 1024,
        },
        "findings": findings,
        "check_summary": summary,
    }
    row["meets_target"] = row["ratio_check_over_parse"]["median"] < PARSE_TARGET_RATIO
    return row


def throughput_markdown(rows: list[dict], skipped: list[dict], runs: int) -> str:
    out = [
        f"Median of {runs} run(s); wall-clock seconds. Ratio = check s / parse-only s "
        f"(target < {PARSE_TARGET_RATIO:g}x).",
        "",
        "| corpus | files | lines | threads | parse-only s | check s | lines/s | ratio check/parse | peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        ratio = r["ratio_check_over_parse"]["median"]
        mark = "" if r["meets_target"] else " (over target)"
        out.append(
            f"| {r['label']} | {r['files']:,} | {r['lines']:,} | {r['threads']} "
            f"| {r['parse_only_s']['median']:.3f} | {r['check_s']['median']:.3f} "
            f"| {r['lines_per_s']['median']:,.0f} | {ratio:.2f}x{mark} | {r['peak_rss_mb']['check']:.1f} |"
        )
    for s in skipped:
        out.append(f"| {s['label']} | – | – | – | – | – | – | skipped: {s['reason']} | – |")
    if any(r["ratio_check_over_parse"]["median"] < 1.0 for r in rows):
        out += ["", "Note: a ratio under 1x means `check` finished before parsing alone would have; "
                "it is not doing the work being measured (a stub, or files it skips)."]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="benches/run.py",
        description="Benchmark `privacy-lens check` on pinned corpora of real published code.",
    )
    p.add_argument("--cache-dir", type=Path,
                   help=f"where archives and unpacked corpora live (env {CACHE_ENV}; default {DEFAULT_CACHE})")
    p.add_argument("--corpus-file", type=Path, default=DEFAULT_CORPUS_FILE, help="pinned inputs (default benches/corpus.toml)")
    p.add_argument("--corpus", action="append", metavar="NAME",
                   help="corpus section to use (repeatable; default: every section with enabled = true)")
    p.add_argument("--suite", default="throughput", choices=sorted(SUITES), help="what to measure (default throughput)")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--runs", type=int, default=3, help="timed runs per measurement (default 3)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs before timing (default 1, min 1)")
    p.add_argument("--no-build", action="store_true", help="do not run cargo build --release")
    p.add_argument("--binary", type=Path, help="binary to measure (default target/release/privacy-lens)")
    p.add_argument("--prepare-only", action="store_true", help="download and unpack the corpora, print their sizes, stop")
    p.add_argument("--json", type=Path, dest="json_out", help="also write the results JSON here")
    a = p.parse_args(argv)
    try:
        a.threads = [int(t) for t in a.threads.split(",") if t.strip()]
    except ValueError:
        p.error("--threads takes comma-separated integers")
    if not a.threads or any(t < 1 for t in a.threads):
        p.error("--threads needs positive integers")
    if a.runs < 1:
        p.error("--runs must be >= 1")
    a.warmup = max(1, a.warmup)
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    cache = (a.cache_dir or Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)).expanduser().resolve()
    if cache == REPO or REPO in cache.parents:
        raise BenchError(f"cache dir {cache} is inside the repository; pick one outside it")
    cache.mkdir(parents=True, exist_ok=True)

    all_corpora = load_corpora(a.corpus_file)
    if a.corpus:
        unknown = [c for c in a.corpus if c not in all_corpora]
        if unknown:
            raise BenchError(f"unknown corpus {unknown}; known: {sorted(all_corpora)}")
        corpora = [all_corpora[c] for c in a.corpus]
    else:
        corpora = [c for c in all_corpora.values() if c.enabled]
    if not corpora:
        raise BenchError("no corpus selected")

    suite = SUITES[a.suite]
    if not suite.implemented and not a.prepare_only:
        raise BenchError(f"suite {suite.name!r} is not implemented yet ({suite.description})")

    prepared = {c.key: prepare_corpus(c, cache) for c in corpora}
    for prep in prepared.values():
        print(corpus_markdown(prep) + "\n")
    if a.prepare_only:
        return 0

    if not a.no_build and a.binary is None:
        build_release()
    binary = (a.binary or REPO / "target" / "release" / "privacy-lens").resolve()
    if not binary.is_file():
        raise BenchError(f"no binary at {binary} (build it, or drop --no-build)")

    load = busy_cpus()
    if load is not None and load > 0.25:
        log(f"warning: other processes keep {load:.2f} CPUs busy: numbers will be noisy")
    ctx = Context(a, binary, cache, corpora, prepared)
    started = _dt.datetime.now(_dt.timezone.utc)
    result = suite.run(ctx)

    print(f"## {suite.name}\n")
    print(result["markdown"])
    doc = {
        "suite": suite.name,
        "started_utc": started.isoformat(timespec="seconds"),
        "binary": str(binary),
        "git": git_describe(),
        "machine": {"cpu": cpu_model(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "busy_cpus_at_start": load},
        "settings": {"runs": a.runs, "warmup": a.warmup, "threads": a.threads, "corpus_file": str(a.corpus_file)},
        "corpora": prepared,
        **result["json"],
    }
    results_dir = cache / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"{suite.name}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    text = json.dumps(doc, indent=2) + "\n"
    path.write_text(text)
    (results_dir / f"{suite.name}-latest.json").write_text(text)
    if a.json_out:
        a.json_out.write_text(text)
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        log(f"error: {e}")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
