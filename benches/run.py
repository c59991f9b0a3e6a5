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
    tree_rss_kb: int = 0


def tree_rss_kb(pid: int) -> int:
    """Sum of VmRSS over a process and all its descendants (Linux /proc), in KiB."""
    total = 0
    stack = [pid]
    seen = set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                stack.extend(int(k) for k in kids)
        except (OSError, ValueError):
            continue
    return total


def run_measured(cmd: list[str], stdout_path: Path | None, cwd: Path | None = None,
                 sample_tree: bool = False, env: dict | None = None) -> tuple[Sample, str]:
    """Run cmd, return wall time and the child's rusage via os.wait4 (exact, no /usr/bin/time needed).

    ru_maxrss is the largest RSS of any single process of the tree. With
    `sample_tree`, a thread also samples the summed RSS of the whole process
    tree every 100 ms (for tools that fork workers) into Sample.tree_rss_kb.
    """
    import threading
    with tempfile.TemporaryFile() as err:
        out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
        peak = [0]
        try:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd, env=env)
            stop = threading.Event()
            sampler = None
            if sample_tree:
                def loop():
                    while not stop.wait(0.1):
                        peak[0] = max(peak[0], tree_rss_kb(proc.pid))
                sampler = threading.Thread(target=loop, daemon=True)
                sampler.start()
            _, status, ru = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            stop.set()
            if sampler:
                sampler.join()
        finally:
            if stdout_path:
                out.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    rss = ru.ru_maxrss // 1024 if sys.platform == "darwin" else ru.ru_maxrss  # bytes on macOS, KiB on Linux
    return Sample(wall, ru.ru_utime, ru.ru_stime, int(rss), proc.returncode, max(peak[0], int(rss))), stderr


def git_describe() -> dict:
    def g(*args):
        r = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    return {"commit": g("rev-parse", "HEAD"), "dirty": bool(g("status", "--porcelain", "--untracked-files=no"))}


def mem_total_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except (OSError, ValueError):
        pass
    return None


def machine_facts() -> dict:
    return {"cpu": cpu_model(), "cpus": os.cpu_count(), "mem_gb": mem_total_gb(),
            "platform": platform.platform(), "python": platform.python_version()}


def machine_line(m: dict) -> str:
    mem = f", {m['mem_gb']:.0f} GB RAM" if m.get("mem_gb") else ""
    return f"{m['cpu']}, {m['cpus']} CPUs{mem}, {m['platform']}"


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
# Input sets: hard-linked trees of the prepared corpora under <cache>/sets/
# ---------------------------------------------------------------------------

SETS_FORMAT = 1


@dataclasses.dataclass
class InputSet:
    key: str  # "python", "npm", "all", "100k", ...
    label: str
    dir: Path
    files: int
    lines: int
    bytes: int
    manifest_hash: str = ""


def corpus_files(prepared: dict[str, dict]) -> list[tuple[str, Path, int, int]]:
    """(relpath under the set root, source path, lines, bytes) of every prepared file."""
    out = []
    for key in sorted(prepared):
        root = Path(prepared[key]["dir"])
        for path in sorted(root.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                out.append((f"{key}/{path.relative_to(root).as_posix()}", path, count_lines(data), len(data)))
    return out


def build_set(cache: Path, key: str, label: str, files: list[tuple[str, Path, int, int]]) -> InputSet:
    """Make <cache>/sets/<key>/ hold exactly `files` (hard links, else copies). Idempotent.

    The root gets an empty `.semgrepignore`, so Semgrep scans the same files
    as privacy-lens (its default ignore list skips `test/`, `tests/`, ...).
    """
    root = cache / "sets" / key
    manifest = [(rel, lines, nbytes) for rel, _, lines, nbytes in files]
    digest = hashlib.sha256(json.dumps([SETS_FORMAT, manifest]).encode()).hexdigest()
    state_file = cache / "state" / "sets" / f"{key}.json"
    result = InputSet(key, label, root, len(files), sum(f[2] for f in files), sum(f[3] for f in files), digest)
    try:
        if root.is_dir() and json.loads(state_file.read_text()).get("hash") == digest:
            return result
    except (OSError, json.JSONDecodeError):
        pass
    log(f"building input set [{key}]: {len(files):,} files, {result.lines:,} lines in {root}")
    tmp = root.with_name(root.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    for rel, src, _, _ in files:
        target = tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, target)
        except OSError:
            shutil.copy2(src, target)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / ".semgrepignore").write_text("# empty: scan every file, as privacy-lens does\n")
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({"hash": digest, "files": result.files, "lines": result.lines}) + "\n")
    return result


def stable_order(rel: str) -> str:
    return hashlib.sha256(rel.encode()).hexdigest()


def build_sets(ctx: "Context") -> dict[str, InputSet]:
    """One set per corpus, `all` (every corpus), and the scaling subsets:
    files in a fixed pseudo-random order (hash of the path) until N lines,
    so every subset has about the same mix of languages and packages."""
    if ctx.sets:
        return ctx.sets
    files = corpus_files(ctx.prepared)
    sets: dict[str, InputSet] = {}
    for corpus in ctx.corpora:
        own = [f for f in files if f[0].startswith(corpus.key + "/")]
        sets[corpus.key] = build_set(ctx.cache, corpus.key, corpus.label, own)
    if len(ctx.corpora) > 1:
        sets["all"] = build_set(ctx.cache, "all", "all (" + " + ".join(c.label for c in ctx.corpora) + ")", files)
    ordered = sorted(files, key=lambda f: stable_order(f[0]))
    total = sum(f[2] for f in files)
    for n in ctx.args.scale:
        if n >= total:
            continue
        chosen, acc = [], 0
        for f in ordered:
            if acc >= n:
                break
            chosen.append(f)
            acc += f[2]
        key = f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)
        sets[key] = build_set(ctx.cache, key, f"sample {key}", chosen)
    ctx.sets = sets
    return sets


def whole(ctx: "Context") -> InputSet:
    sets = build_sets(ctx)
    return sets.get("all") or sets[ctx.corpora[0].key]


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
    sets: dict[str, InputSet] = dataclasses.field(default_factory=dict)
    # (set key, threads) -> throughput row, so suites of one run share measurements
    rows: dict[tuple[str, int], dict] = dataclasses.field(default_factory=dict)
    check_help: str | None = None


def check_help(ctx: Context) -> str:
    if ctx.check_help is None:
        r = subprocess.run([str(ctx.binary), "check", "--help"], capture_output=True, text=True)
        ctx.check_help = r.stdout + r.stderr
    return ctx.check_help


def has_no_cross_file(ctx: Context) -> bool:
    return "--no-cross-file" in check_help(ctx)


class Suite:
    name = ""
    description = ""
    implemented = True

    def run(self, ctx: Context) -> dict:  # returns {"markdown": str, "json": dict}
        raise NotImplementedError


def check_cmd(ctx: Context, paths: list[Path], threads: int, variant: str) -> list[str]:
    """variant: "parse" (the floor), "check", or "nocross" (check --no-cross-file)."""
    cmd = [str(ctx.binary), "check"]
    if variant == "parse":
        cmd.append("--parse-only")
    cmd += ["--no-progress", "--threads", str(threads), "--format", "json"]
    if variant != "parse":
        cmd += ["--fail-on", "error"]
    if variant == "nocross":
        cmd.append("--no-cross-file")
    cmd += [str(p) for p in paths]
    return cmd


def parse_once(ctx: Context, paths: list[Path], threads: int, tmp: Path) -> tuple[Sample, dict]:
    out = tmp / "parse.json"
    cmd = check_cmd(ctx, paths, threads, "parse")
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


def check_once(ctx: Context, paths: list[Path], threads: int, stdout_path: Path | None, variant: str = "check") -> Sample:
    cmd = check_cmd(ctx, paths, threads, variant)
    s, stderr = run_measured(cmd, stdout_path)
    if s.exit_code not in (0, 1):  # 1 = findings at/above --fail-on
        raise BenchError(f"check run failed (exit {s.exit_code}): {' '.join(cmd)}\n{stderr.strip()}")
    return s


def measure_set(ctx: Context, inp: InputSet, threads: int) -> dict | None:
    """parse-only, check (and check --no-cross-file when the binary has it),
    interleaved, `--runs` times after `--warmup` untimed rounds. Cached per run."""
    key = (inp.key, threads)
    if key in ctx.rows:
        return ctx.rows[key]
    a = ctx.args
    paths = [inp.dir]
    variants = ["check"] + (["nocross"] if has_no_cross_file(ctx) else [])
    with tempfile.TemporaryDirectory(prefix="pl-bench-") as tmps:
        tmp = Path(tmps)
        log(f"[{inp.key}] threads={threads}: warm-up")
        _, report = parse_once(ctx, paths, threads, tmp)
        if not report.get("files"):
            log(f"[{inp.key}] the binary found no files to parse: language not supported yet, skipping")
            ctx.rows[key] = None
            return None
        findings_file = tmp / "check.json"
        check_once(ctx, paths, threads, findings_file)
        findings, summary = read_check_report(findings_file)
        if summary and summary.get("files") not in (None, report.get("files")):
            log(f"[{inp.key}] warning: check reports {summary.get('files')} files, "
                f"parse-only {report.get('files')}: the two do not see the same input")
        for _ in range(a.warmup - 1):
            parse_once(ctx, paths, threads, tmp)
            for v in variants:
                check_once(ctx, paths, threads, None, v)
        parse_s, internal = [], []
        samples: dict[str, list[Sample]] = {v: [] for v in variants}
        for i in range(a.runs):  # interleave so drift hits all alike
            s, rep = parse_once(ctx, paths, threads, tmp)
            parse_s.append(s)
            if isinstance(rep.get("seconds"), (int, float)):
                internal.append(float(rep["seconds"]))
            for v in variants:
                samples[v].append(check_once(ctx, paths, threads, None, v))
            log(f"[{inp.key}] threads={threads} run {i + 1}/{a.runs}: parse-only {s.wall:.3f}s, "
                + ", ".join(f"{v} {samples[v][-1].wall:.3f}s" for v in variants))
    row = summarize(inp, threads, report, parse_s, samples, internal, findings, summary)
    ctx.rows[key] = row
    return row


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


def med(xs):
    return statistics.median(xs)


def summarize(inp: InputSet, threads, report, parse_s, samples, internal, findings, summary) -> dict:
    check_s = samples["check"]
    p_wall = [s.wall for s in parse_s]
    c_wall = [s.wall for s in check_s]
    lines = int(report.get("lines") or inp.lines)
    files = int(report.get("files") or inp.files)
    cpu = lambda ss: med([s.user + s.sys for s in ss])  # noqa: E731
    row = {
        "input": inp.key,
        "label": inp.label,
        "files": files,
        "lines": lines,
        "bytes": report.get("bytes", inp.bytes),
        "prepared_files": inp.files,
        "prepared_lines": inp.lines,
        "threads": threads,
        "parse_only_s": {"median": med(p_wall), "best": min(p_wall), "samples": p_wall},
        "parse_only_internal_s": {"median": med(internal), "best": min(internal), "samples": internal} if internal else None,
        "check_s": {"median": med(c_wall), "best": min(c_wall), "samples": c_wall},
        # CPU seconds (user + sys of the process): steadier than wall time on a busy machine.
        "parse_only_cpu_s": {"median": cpu(parse_s)},
        "check_cpu_s": {"median": cpu(check_s)},
        "ratio_cpu_check_over_parse": cpu(check_s) / max(1e-9, cpu(parse_s)),
        "lines_per_s": {"median": lines / med(c_wall), "best": lines / min(c_wall)},
        "us_per_line": {"check": 1e6 * med(c_wall) / lines, "parse_only": 1e6 * med(p_wall) / lines},
        "ratio_check_over_parse": {"median": med(c_wall) / med(p_wall), "best": min(c_wall) / min(p_wall)},
        "peak_rss_mb": {
            "check": max(s.max_rss_kb for s in check_s) / 1024,
            "parse_only": max(s.max_rss_kb for s in parse_s) / 1024,
        },
        "findings": findings,
        "check_summary": summary,
    }
    if "nocross" in samples:
        n_wall = [s.wall for s in samples["nocross"]]
        row["check_no_cross_file_s"] = {"median": med(n_wall), "best": min(n_wall), "samples": n_wall}
        row["peak_rss_mb"]["check_no_cross_file"] = max(s.max_rss_kb for s in samples["nocross"]) / 1024
    row["meets_target"] = row["ratio_check_over_parse"]["median"] <= CHECK_TARGET_RATIO
    return row


def throughput_markdown(rows: list[dict], runs: int) -> str:
    nocross = any("check_no_cross_file_s" in r for r in rows)
    out = [
        f"Median of {runs} run(s), wall-clock seconds, whole process (start, walk, read, parse, analysis, report). "
        f"Ratio = check / parse-only (target ≤ {CHECK_TARGET_RATIO:g}x); the CPU-time ratio (user + sys of each "
        "process, medians) is steadier on a busy machine.",
        "",
        "| input | files | lines | threads | parse-only s | check s |" + (" check --no-cross-file s |" if nocross else "")
        + " lines/s | check / parse | check / parse, CPU time | peak RSS MB | findings |",
        "| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if nocross else "") + " ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        ratio = r["ratio_check_over_parse"]["median"]
        nc = ""
        if nocross:
            nc = f" {r['check_no_cross_file_s']['median']:.3f} |" if "check_no_cross_file_s" in r else " – |"
        out.append(
            f"| {r['label']} | {r['files']:,} | {r['lines']:,} | {r['threads']} "
            f"| {r['parse_only_s']['median']:.3f} | {r['check_s']['median']:.3f} |{nc} "
            f"{r['lines_per_s']['median']:,.0f} | {ratio:.2f}x | {r['ratio_cpu_check_over_parse']:.2f}x | {r['peak_rss_mb']['check']:.1f} "
            f"| {r['findings'] if r['findings'] is not None else '–'} |"
        )
    if any(r["ratio_check_over_parse"]["median"] < 1.0 for r in rows):
        out += ["", "Note: a ratio under 1x means `check` finished before parsing alone would have; "
                "it is not doing the work being measured (a stub, or files it skips)."]
    return "\n".join(out)


class ThroughputSuite(Suite):
    name = "throughput"
    description = "check and parse-only on each corpus and on all of them, per thread count"

    def run(self, ctx: Context) -> dict:
        sets = build_sets(ctx)
        keys = [c.key for c in ctx.corpora] + (["all"] if "all" in sets else [])
        rows = []
        for key in keys:
            for threads in ctx.args.threads:
                row = measure_set(ctx, sets[key], threads)
                if row is None:
                    break
                rows.append(row)
        return {"markdown": throughput_markdown(rows, ctx.args.runs), "json": {"rows": rows}}


class ScalingSuite(Suite):
    name = "scaling"
    description = "time and memory against input size (samples of 100k, 300k lines, the whole corpus) and threads"

    def run(self, ctx: Context) -> dict:
        sets = build_sets(ctx)
        full = whole(ctx)
        keys = [k for k in sets if k not in {c.key for c in ctx.corpora} and k != "all"]
        keys = sorted(keys, key=lambda k: sets[k].lines) + [full.key]
        rows = []
        for key in keys:
            for threads in ctx.args.threads:
                row = measure_set(ctx, sets[key], threads)
                if row is not None:
                    rows.append(row)
        return {"markdown": scaling_markdown(rows, ctx.args.threads), "json": {"rows": rows}}


def scaling_markdown(rows: list[dict], threads: list[int]) -> str:
    out = [
        "Time per line should stay flat as the input grows (linear time). CPU µs/line (user + sys of the process) "
        "is the steadier figure on a busy machine; wall µs/line and the speed-up (wall time on "
        f"{min(threads)} thread(s) / on this many) need an idle one.",
        "",
        "| input | lines | threads | parse-only s | check s | check / parse | CPU µs/line check | CPU µs/line parse "
        "| wall µs/line check | speed-up | peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base = {r["input"]: r["check_s"]["median"] for r in rows if r["threads"] == min(threads)}
    for r in rows:
        speed = base.get(r["input"], float("nan")) / r["check_s"]["median"]
        out.append(
            f"| {r['label']} | {r['lines']:,} | {r['threads']} | {r['parse_only_s']['median']:.3f} "
            f"| {r['check_s']['median']:.3f} | {r['ratio_check_over_parse']['median']:.2f}x "
            f"| {cpu_us_per_line(r, 'check'):.2f} | {cpu_us_per_line(r, 'parse_only'):.2f} "
            f"| {r['us_per_line']['check']:.2f} | {speed:.2f}x | {r['peak_rss_mb']['check']:.1f} |"
        )
    return "\n".join(out)


def cpu_us_per_line(row: dict, which: str) -> float:
    return 1e6 * row[f"{which}_cpu_s"]["median"] / row["lines"]


def scaling_targets(rows: list[dict]) -> list[tuple[str, str, str, str]]:
    """Rows of the targets table: growth of CPU time per line and of memory, smallest → largest input."""
    out = []
    for threads in sorted({r["threads"] for r in rows}):
        rs = sorted((r for r in rows if r["threads"] == threads), key=lambda r: r["lines"])
        if len(rs) < 2:
            continue
        lo, hi = rs[0], rs[-1]
        growth = cpu_us_per_line(hi, "check") / cpu_us_per_line(lo, "check")
        steps = " → ".join(f"{cpu_us_per_line(r, 'check'):.2f}" for r in rs)
        out.append((f"`check` CPU time per line, {lo['lines']:,} → {hi['lines']:,} lines, {threads} thread(s)",
                    f"{steps} µs ({growth:.2f}x)", "≈ 1x (linear)", "met" if growth < 1.25 else "**not met**"))
        mem = hi["peak_rss_mb"]["check"] / lo["peak_rss_mb"]["check"]
        out.append((f"`check` peak RSS, {lo['lines']:,} → {hi['lines']:,} lines, {threads} thread(s)",
                    f"{lo['peak_rss_mb']['check']:.0f} → {hi['peak_rss_mb']['check']:.0f} MB ({mem:.2f}x for "
                    f"{hi['lines'] / lo['lines']:.1f}x the lines)", "at most linear",
                    "met" if mem <= 1.25 * hi["lines"] / lo["lines"] else "**not met**"))
    return out


class PackagesSuite(Suite):
    name = "packages"
    description = "check and parse-only per package, one thread: which inputs cost most on top of parsing"

    def run(self, ctx: Context) -> dict:
        rows = []
        for corpus in ctx.corpora:
            root = Path(ctx.prepared[corpus.key]["dir"])
            for pkg in corpus.packages:
                d = root / pkg.dirname
                st = next((r for r in ctx.prepared[corpus.key]["packages"] if r["dir"] == pkg.dirname), None)
                if st is None or not d.is_dir():
                    continue
                inp = InputSet(f"pkg:{corpus.key}/{pkg.dirname}", f"{corpus.label}: {pkg.spec}", d,
                               st["files"], st["lines"], st["bytes"])
                row = measure_set(ctx, inp, 1)
                if row is not None:
                    rows.append(row)
        rows.sort(key=lambda r: r["check_cpu_s"]["median"] - r["parse_only_cpu_s"]["median"], reverse=True)
        return {"markdown": packages_markdown(rows, ctx.args.runs), "json": {"rows": rows}}


def packages_markdown(rows: list[dict], runs: int) -> str:
    total = sum(r["check_cpu_s"]["median"] - r["parse_only_cpu_s"]["median"] for r in rows) or 1e-9
    out = [f"One thread, median of {runs} run(s), CPU seconds (user + sys). Sorted by the analysis cost on top of "
           "parsing (check − parse-only); a package far above the others' ratio is where to profile first "
           "(each run includes the process's fixed start-up cost, which dominates small packages).",
           "", "| package | files | lines | parse-only CPU s | check CPU s | check / parse | share of the analysis cost |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        extra = r["check_cpu_s"]["median"] - r["parse_only_cpu_s"]["median"]
        out.append(f"| {r['label']} | {r['files']:,} | {r['lines']:,} | {r['parse_only_cpu_s']['median']:.2f} "
                   f"| {r['check_cpu_s']['median']:.2f} | {r['ratio_cpu_check_over_parse']:.2f}x | {100 * extra / total:.0f}% |")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Semgrep
# ---------------------------------------------------------------------------

# The rulesets compared, headline first. `full` is generated from privacy-lens's
# own knowledge by benches/semgrep/generate.py; `hand` is the hand-written subset.
SEMGREP_RULESETS = {
    "full": {"path": REPO / "benches" / "semgrep" / "privacy-taint-full.yaml",
             "label": "full ruleset (generated: same knowledge as privacy-lens)"},
    "hand": {"path": REPO / "benches" / "semgrep" / "privacy-taint.yaml",
             "label": "hand-written subset"},
}


def semgrep_exe(ctx: Context) -> Path:
    """<cache>/semgrep-venv with the pinned Semgrep, installed with pip on first use."""
    venv = ctx.cache / "semgrep-venv"
    exe = venv / "bin" / "semgrep"
    want = ctx.args.semgrep_version

    def version() -> str | None:
        if not exe.exists():
            return None
        r = subprocess.run([str(exe), "--version", "--disable-version-check"], capture_output=True, text=True)
        return r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else None

    if version() != want:
        log(f"installing semgrep=={want} into {venv}")
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        r = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", f"semgrep=={want}"])
        if r.returncode != 0 or version() != want:
            raise BenchError(f"cannot install semgrep=={want} into {venv}")
    return exe


def semgrep_run(ctx: Context, exe: Path, rules: Path, inp: InputSet, jobs: int, out: Path) -> tuple[Sample, dict]:
    cmd = [str(exe), "scan", "--metrics=off", "--disable-version-check", "--config", str(rules),
           "--json", "--quiet", "-j", str(jobs), "--max-target-bytes", str(5 * 1024 * 1024), str(inp.dir)]
    env = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
    log(f"[semgrep] {rules.name} on {inp.key} ({inp.lines:,} lines), -j {jobs}: this takes a while")
    s, stderr = run_measured(cmd, out, cwd=inp.dir, sample_tree=True, env=env)
    try:
        data = json.loads(out.read_text(errors="replace"))
    except (OSError, json.JSONDecodeError):
        raise BenchError(f"semgrep failed (exit {s.exit_code}): {' '.join(cmd)}\n{stderr.strip()[-2000:]}")
    if s.exit_code not in (0, 1):
        log(f"[semgrep] exit {s.exit_code}; using its JSON output")
    errors = data.get("errors") or []
    summary = {
        "findings": len(data.get("results") or []),
        "files_scanned": len((data.get("paths") or {}).get("scanned") or []),
        "errors": len(errors),
        "timeouts": sum(1 for e in errors if "Timeout" in str(e.get("type"))),
        "version": data.get("version"),
    }
    return s, summary


class SemgrepSuite(Suite):
    name = "semgrep"
    description = ("Semgrep with the generated full ruleset and the hand-written one (benches/semgrep/) "
                   "against check on the same files")

    def measure(self, ctx: Context, exe: Path, key: str, inp: InputSet, jobs: int) -> dict:
        """One ruleset: its cached measurement (--semgrep-reuse) or --semgrep-runs fresh runs."""
        a = ctx.args
        rules = SEMGREP_RULESETS[key]["path"]
        if not rules.exists():
            raise BenchError(f"{rules} is missing: run python3 benches/semgrep/generate.py")
        rules_hash = hashlib.sha256(rules.read_bytes()).hexdigest()
        cache_key = hashlib.sha256(f"{rules_hash}|{a.semgrep_version}|{inp.manifest_hash}|{jobs}".encode()).hexdigest()[:16]
        cache_file = ctx.cache / "results" / "semgrep-cache" / f"{cache_key}.json"
        if a.semgrep_reuse and cache_file.exists():
            sg = json.loads(cache_file.read_text())
            log(f"[semgrep] {rules.name}: reusing the measurement of {sg['measured_utc']} ({cache_file}): "
                "same rules, version, files, jobs")
            sg["reused"] = True
            return sg
        samples, summary = [], None
        with tempfile.TemporaryDirectory(prefix="pl-semgrep-") as tmps:
            for i in range(a.semgrep_runs):
                s, summary = semgrep_run(ctx, exe, rules, inp, jobs, Path(tmps) / "out.json")
                samples.append(s)
                log(f"[semgrep] {rules.name} run {i + 1}/{a.semgrep_runs}: {s.wall:.1f}s, "
                    f"tree RSS {s.tree_rss_kb / 1024:.0f} MB, {summary['findings']} findings, "
                    f"{summary['files_scanned']} files, {summary['timeouts']} timeouts")
        sg = {
            "measured_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "rules": str(rules.relative_to(REPO)), "rules_sha256": rules_hash,
            "input": inp.key, "lines": inp.lines, "files": inp.files, "jobs": jobs,
            "wall_s": {"median": med([s.wall for s in samples]), "samples": [s.wall for s in samples]},
            "cpu_s": {"median": med([s.user + s.sys for s in samples])},
            "peak_rss_mb": {"tree": max(s.tree_rss_kb for s in samples) / 1024,
                            "largest_process": max(s.max_rss_kb for s in samples) / 1024},
            **summary,
        }
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(sg, indent=2) + "\n")
        sg["reused"] = False
        return sg

    def run(self, ctx: Context) -> dict:
        a = ctx.args
        sets = build_sets(ctx)
        if a.semgrep_set not in sets:
            raise BenchError(f"--semgrep-set {a.semgrep_set!r}: known sets {sorted(sets)}")
        inp = sets[a.semgrep_set]
        jobs = a.semgrep_jobs or max(a.threads)
        exe = semgrep_exe(ctx)
        measured = {key: self.measure(ctx, exe, key, inp, jobs) for key in SEMGREP_RULESETS}
        pl = measure_set(ctx, inp, jobs)
        if pl is None:
            raise BenchError(f"privacy-lens found no files in {inp.dir}")
        plr = {"check_s": pl["check_s"]["median"], "parse_only_s": pl["parse_only_s"]["median"],
               "peak_rss_mb": pl["peak_rss_mb"]["check"], "findings": pl["findings"],
               "threads": jobs, "cpu_s": pl["check_cpu_s"]["median"]}
        rulesets = {}
        for key, sg in measured.items():
            rulesets[key] = {
                "label": SEMGREP_RULESETS[key]["label"],
                "semgrep": sg,
                "ratio_time": sg["wall_s"]["median"] / plr["check_s"],
                "ratio_cpu": sg["cpu_s"]["median"] / max(1e-9, plr["cpu_s"]),
                "ratio_memory": sg["peak_rss_mb"]["tree"] / plr["peak_rss_mb"],
                "semgrep_over_parse": sg["wall_s"]["median"] / plr["parse_only_s"],
            }
        head = rulesets["full"]
        res = {
            "rulesets": rulesets, "privacy_lens": plr, "label": inp.label,
            # The headline (the full ruleset), where `all` and older readers look for it.
            "semgrep": head["semgrep"], "ruleset": "full",
            **{k: head[k] for k in ("ratio_time", "ratio_cpu", "ratio_memory", "semgrep_over_parse")},
        }
        return {"markdown": semgrep_markdown(res), "json": res}


def semgrep_markdown(r: dict) -> str:
    pl, rs = r["privacy_lens"], r["rulesets"]
    head = rs["full"]["semgrep"]
    out = [
        f"Semgrep {head.get('version') or '?'} (`--metrics=off --disable-version-check`, `-j {head['jobs']}`) "
        f"with two taint rulesets, and `privacy-lens check --threads {pl['threads']}`, on the same "
        f"{head['files']:,} files ({head['lines']:,} lines). The **full** ruleset "
        "(`benches/semgrep/privacy-taint-full.yaml`, generated by `benches/semgrep/generate.py`) has "
        "privacy-lens's own vocabulary and sink catalogue: the same job, and the headline. The "
        "hand-written one (`benches/semgrep/privacy-taint.yaml`) is a small subset of it. Semgrep's "
        "memory is the summed RSS of its process tree (sampled every 100 ms); a timeout is a file "
        "Semgrep gave up on for a rule (its time then understates the cost).",
        "",
        "| tool | wall s | CPU s | peak RSS MB | findings | files scanned | timeouts | measured |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for key, x in rs.items():
        sg = x["semgrep"]
        when = sg["measured_utc"] + (" (reused)" if sg.get("reused") else "")
        out.append(f"| Semgrep, {x['label']} | {sg['wall_s']['median']:.1f} | {sg['cpu_s']['median']:.1f} "
                   f"| {sg['peak_rss_mb']['tree']:.0f} | {sg['findings']} | {sg['files_scanned']:,} "
                   f"| {sg['timeouts']} | {when}, {len(sg['wall_s']['samples'])} run(s) |")
    out += [
        f"| privacy-lens check | {pl['check_s']:.2f} | {pl['cpu_s']:.2f} | {pl['peak_rss_mb']:.1f} | {pl['findings']} "
        f"| {head['files']:,} | – | this run |",
        f"| privacy-lens parse-only (floor) | {pl['parse_only_s']:.2f} | | | | | | this run |",
        "",
        "| Semgrep ruleset | time / check | CPU / check | memory / check | Semgrep time / parse |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for key, x in rs.items():
        bold = "**" if key == "full" else ""
        out.append(f"| {x['label']} | {bold}{x['ratio_time']:.0f}x{bold} | {x['ratio_cpu']:.0f}x "
                   f"| {x['ratio_memory']:.1f}x | {x['semgrep_over_parse']:.0f}x |")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Language server: latencies (cargo bench --bench lsp_latency) and indexing
# ---------------------------------------------------------------------------


def cargo_bench(bench: str, extra: list[str], timeout: float | None = None) -> str:
    cmd = ["cargo", "bench", "--quiet", "--bench", bench, "--", *extra]
    log(f"running: {' '.join(cmd)}")
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise BenchError(f"`{' '.join(cmd)}` failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    return r.stdout


class LspClient:
    """A minimal LSP client over the server's stdin/stdout (standard library only)."""

    def __init__(self, binary: Path):
        import queue
        import threading
        self.proc = subprocess.Popen([str(binary), "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.messages: "queue.Queue[dict | None]" = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        f = self.proc.stdout
        while True:
            length = None
            while True:
                line = f.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length is None:
                continue
            body = f.read(length)
            try:
                self.messages.put(json.loads(body))
            except json.JSONDecodeError:
                continue

    def send(self, msg: dict):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params) -> int:
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        return i

    def notify(self, method: str, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def recv(self, timeout: float) -> dict | None:
        """The next message, answering server requests (progress tokens, configuration) on the way."""
        import queue
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = self.messages.get(timeout=left)
            except queue.Empty:
                return None
            if msg is None:
                raise BenchError("the language server closed its output")
            if "method" in msg and "id" in msg:  # a request from the server
                result = [None] * len(msg.get("params", {}).get("items", [])) if msg["method"] == "workspace/configuration" else None
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            return msg

    def close(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()
            self.proc.wait()


def proc_status_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def measure_indexing(ctx: Context, inp: InputSet) -> dict:
    """Start `privacy-lens lsp` on the workspace folder `inp.dir`, advertising
    `window.workDoneProgress`, and time initialize → the `end` of the server's
    `$/progress` work (its workspace indexing); read its VmRSS then."""
    a = ctx.args
    client = LspClient(ctx.binary)
    uri = inp.dir.resolve().as_uri()
    t0 = time.perf_counter()
    try:
        init_id = client.request("initialize", {
            "processId": os.getpid(),
            "rootUri": uri,
            "workspaceFolders": [{"uri": uri, "name": inp.dir.name}],
            "capabilities": {"window": {"workDoneProgress": True},
                             "workspace": {"workspaceFolders": True, "configuration": True},
                             "general": {"positionEncodings": ["utf-16"]}},
        })
        while True:
            msg = client.recv(60)
            if msg is None:
                raise BenchError("no answer to initialize in 60 s")
            if msg.get("id") == init_id and "method" not in msg:
                break
        client.notify("initialized", {})
        began: dict = {}
        ended = None
        start_deadline = time.monotonic() + a.index_start_timeout
        end_deadline = None
        titles = {}
        while ended is None:
            deadline = end_deadline if began else start_deadline
            msg = client.recv(max(0.0, deadline - time.monotonic()))
            if msg is None:
                break
            if msg.get("method") != "$/progress":
                continue
            token = json.dumps(msg["params"].get("token"))
            value = msg["params"].get("value") or {}
            if value.get("kind") == "begin":
                began[token] = time.perf_counter() - t0
                titles[token] = value.get("title")
                end_deadline = time.monotonic() + a.index_timeout
            elif value.get("kind") == "end" and token in began:
                ended = time.perf_counter() - t0
        rss = proc_status_kb(client.proc.pid, "VmRSS")
        hwm = proc_status_kb(client.proc.pid, "VmHWM")
        if not began:
            return {"status": "no-progress", "note": "n/a (server reports no indexing progress)",
                    "rss_mb": rss / 1024 if rss else None, "waited_s": a.index_start_timeout}
        if ended is None:
            return {"status": "timeout", "note": f"indexing did not end within {a.index_timeout:g} s",
                    "begin_s": min(began.values()), "rss_mb": rss / 1024 if rss else None}
        return {"status": "ok", "seconds": ended, "begin_s": min(began.values()), "titles": list(titles.values()),
                "rss_mb": rss / 1024 if rss else None, "hwm_mb": hwm / 1024 if hwm else None,
                "lines": inp.lines, "files": inp.files}
    finally:
        client.close()


class LspSuite(Suite):
    name = "lsp"
    description = "language server: didChange → diagnostics and hover on 500/5,000/20,000-line files; workspace indexing"

    def run(self, ctx: Context) -> dict:
        a = ctx.args
        out = cargo_bench("lsp_latency", ["--server", str(ctx.binary), "--json", "--lines", a.lsp_lines,
                                          "--iterations", str(a.lsp_iterations)])
        latency = [json.loads(line[len("RESULT "):]) for line in out.splitlines() if line.startswith("RESULT ")]
        inp = whole(ctx)
        log(f"[lsp] indexing the workspace {inp.dir} ({inp.lines:,} lines)")
        indexing = measure_indexing(ctx, inp)
        if indexing["status"] == "ok":
            full = measure_set(ctx, inp, max(a.threads))
            if full:
                indexing["ratio_to_check"] = indexing["seconds"] / full["check_s"]["median"]
                indexing["check_s"] = full["check_s"]["median"]
        res = {"latency": latency, "indexing": indexing, "raw": out}
        return {"markdown": lsp_markdown(res), "json": res}


def lsp_markdown(r: dict) -> str:
    out = [
        "The real binary over pipes (`cargo bench --bench lsp_latency`), generated Python services, no debounce; "
        "one typed character in the middle of the file per sample.",
        "",
        "| file lines | findings | didOpen ms | didChange → diagnostics median / p95 ms | hover median / p95 ms "
        "| hover right after an edit median / p95 ms | code action median / p95 ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for x in r["latency"]:
        mp = lambda k: f"{x[k]['median']:.2f} / {x[k]['p95']:.2f}"  # noqa: E731
        out.append(f"| {x['lines']:,} | {x['diagnostics']} | {x['did_open_ms']:.1f} | {mp('did_change')} | {mp('hover')} "
                   f"| {mp('hover_after_edit')} | {mp('code_action')} |")
    ix = r["indexing"]
    out.append("")
    if ix["status"] == "ok":
        ratio = f", {ix['ratio_to_check']:.2f}x `check` on it" if "ratio_to_check" in ix else ""
        out.append(f"Workspace indexing of the whole corpus ({ix['lines']:,} lines): **{ix['seconds']:.2f} s** "
                   f"from `initialize` to the end of `$/progress`{ratio}; server RSS then **{ix['rss_mb']:.0f} MB** "
                   f"(peak {ix['hwm_mb']:.0f} MB).")
    else:
        rss = f" (server RSS {ix['rss_mb']:.0f} MB)" if ix.get("rss_mb") else ""
        out.append(f"Workspace indexing of the whole corpus: {ix['note']}{rss}.")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Micro-benchmarks: cargo bench --bench analysis (divan)
# ---------------------------------------------------------------------------

_DIVAN_ROW = re.compile(r"(├─|╰─)\s*(\S+)\s*(.*)$")


def parse_divan(out: str) -> list[dict]:
    """Rows of divan's tree table: bench, input, fastest, slowest, median, mean (as printed).

    Group rows (`├─ flow`) name the bench; their children (`│  ├─ gen-5k.py  1.2 ms │ ...`)
    are inputs; lines without a branch mark (throughput lines, the header) are skipped."""
    rows, bench = [], None
    for line in out.splitlines():
        if "│" not in line:
            continue
        cells = line.split("│")
        at = next((i for i, c in enumerate(cells) if _DIVAN_ROW.search(c)), None)
        if at is None:
            continue
        m = _DIVAN_ROW.search(cells[at])
        depth = line.index(m.group(1))
        name, first = m.group(2), m.group(3).strip()
        if depth == 0:
            bench = name
            continue
        values = [first] + [c.strip() for c in cells[at + 1:]]
        if len(values) >= 4 and values[0]:
            rows.append({"bench": bench, "input": name, "fastest": values[0], "slowest": values[1],
                         "median": values[2], "mean": values[3]})
    return rows


class MicroSuite(Suite):
    name = "micro"
    description = "cargo bench --bench analysis: parse, facts, tags, classify, flow, analyze per file"

    def run(self, ctx: Context) -> dict:
        out = cargo_bench("analysis", ["--max-time", str(ctx.args.micro_max_time)])
        rows = parse_divan(out)
        return {"markdown": micro_markdown(rows, out), "json": {"rows": rows, "raw": out}}


def micro_markdown(rows: list[dict], raw: str) -> str:
    if not rows:
        return "```\n" + raw.strip() + "\n```"
    inputs = list(dict.fromkeys(r["input"] for r in rows))
    benches = list(dict.fromkeys(r["bench"] for r in rows))
    by = {(r["bench"], r["input"]): r["median"] for r in rows}
    out = ["Median time per call (divan, `cargo bench --bench analysis`); `classify` is every identifier of the file.",
           "", "| bench | " + " | ".join(inputs) + " |", "| --- |" + " ---: |" * len(inputs)]
    for b in benches:
        out.append(f"| {b} | " + " | ".join(by.get((b, i), "–") for i in inputs) + " |")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Instruction counts (valgrind --tool=callgrind): a deterministic ratio
# ---------------------------------------------------------------------------


def callgrind_instructions(cmd: list[str], out_file: Path) -> int:
    r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", *cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"Collected\s*:\s*(\d+)", r.stderr) or re.search(r"I\s+refs:\s*([\d,]+)", r.stderr)
    if r.returncode not in (0, 1) or not m:
        raise BenchError(f"callgrind failed (exit {r.returncode}): {' '.join(cmd)}\n{r.stderr[-1500:]}")
    return int(m.group(1).replace(",", ""))


class InstructionsSuite(Suite):
    name = "instructions"
    description = "instructions executed (callgrind) by check and parse-only on one thread: a noise-free ratio"

    def run(self, ctx: Context) -> dict:
        if shutil.which("valgrind") is None:
            raise BenchError("valgrind is not installed (apt-get install valgrind)")
        sets = build_sets(ctx)
        key = ctx.args.instructions_set
        if key not in sets:
            raise BenchError(f"--instructions-set {key!r}: known sets {sorted(sets)}")
        inp = sets[key]
        keep = ctx.cache / "results" / "callgrind"
        keep.mkdir(parents=True, exist_ok=True)
        counts = {}
        for variant in ["parse", "check"] + (["nocross"] if has_no_cross_file(ctx) else []):
            log(f"[instructions] callgrind: {variant} on {inp.key} ({inp.lines:,} lines), 1 thread")
            out = keep / f"callgrind.{inp.key}.{variant}.out"
            counts[variant] = callgrind_instructions(check_cmd(ctx, [inp.dir], 1, variant), out)
        res = {"input": inp.key, "label": inp.label, "lines": inp.lines, "files": inp.files,
               "instructions": counts, "ratio": counts["check"] / counts["parse"],
               "per_line": {k: v / inp.lines for k, v in counts.items()}, "profiles": str(keep)}
        return {"markdown": instructions_markdown(res), "json": res}


def instructions_markdown(r: dict) -> str:
    c = r["instructions"]
    out = [f"Instructions executed under `valgrind --tool=callgrind`, whole process, one thread, "
           f"{r['label']} ({r['files']:,} files, {r['lines']:,} lines). Deterministic: use it to check a change "
           f"on a busy machine. Profiles are kept in `{r['profiles']}` (`callgrind_annotate --inclusive=yes FILE`).",
           "", "| run | instructions | per line |", "| --- | ---: | ---: |"]
    names = {"parse": "parse-only", "check": "check", "nocross": "check --no-cross-file"}
    for k, v in c.items():
        out.append(f"| {names[k]} | {v:,} | {v / r['lines']:,.0f} |")
    out += ["", f"check / parse-only: **{r['ratio']:.2f}x** in instructions."]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Everything: one table of figures and targets
# ---------------------------------------------------------------------------

CHECK_TARGET_RATIO = 1.5  # check within 1.5x of parse-only
SEMGREP_TARGET = 100.0  # at least 100x faster than Semgrep
KEYSTROKE_TARGET_MS = 10.0  # p95 didChange -> diagnostics, 5,000-line file
INDEX_TARGET_RATIO = 1.5  # indexing within 1.5x of check on the same workspace
INDEX_MEMORY_TARGET_MB = 500.0


class AllSuite(Suite):
    name = "all"
    description = "every suite, then one summary table of figures against the targets"

    def run(self, ctx: Context) -> dict:
        a = ctx.args
        parts, results = [], {}
        plan = [ThroughputSuite(), ScalingSuite(), PackagesSuite()]
        if not a.no_semgrep:
            plan.append(SemgrepSuite())
        if not a.no_lsp:
            plan.append(LspSuite())
        if not a.no_micro:
            plan.append(MicroSuite())
        if not a.no_instructions and shutil.which("valgrind"):
            plan.append(InstructionsSuite())
        for suite in plan:
            log(f"=== suite {suite.name}")
            try:
                res = suite.run(ctx)
            except BenchError as e:  # one failing suite must not lose the others
                log(f"suite {suite.name} failed: {e}")
                res = {"markdown": f"failed: {e}", "json": {"error": str(e)}}
            results[suite.name] = res["json"]
            parts.append((suite.name, res["markdown"]))
        summary = targets_markdown(ctx, results)
        md = "\n\n".join([summary] + [f"### {name}\n\n{body}" for name, body in parts])
        return {"markdown": md, "json": results}


def targets_markdown(ctx: Context, results: dict) -> str:
    full = whole(ctx)
    rows = []

    def status(ok):
        return "–" if ok is None else ("met" if ok else "**not met**")

    for threads in ctx.args.threads:
        r = ctx.rows.get((full.key, threads))
        if r:
            ratio = r["ratio_check_over_parse"]["median"]
            nocross = ""
            if "check_no_cross_file_s" in r:
                nocross = (f"; `--no-cross-file` "
                           f"{r['check_no_cross_file_s']['median'] / r['parse_only_s']['median']:.2f}x")
            rows.append((f"`check` / parse-only, whole corpus, {threads} thread(s)", f"{ratio:.2f}x{nocross} "
                         f"(CPU time {r['ratio_cpu_check_over_parse']:.2f}x; "
                         f"{r['check_s']['median']:.2f} s / {r['parse_only_s']['median']:.2f} s; "
                         f"{r['lines_per_s']['median']:,.0f} lines/s; {r['peak_rss_mb']['check']:.0f} MB)",
                         f"≤ {CHECK_TARGET_RATIO:g}x", status(ratio <= CHECK_TARGET_RATIO)))
    sc = results.get("scaling")
    if sc and sc.get("rows"):
        rows += scaling_targets(sc["rows"])
    ins = results.get("instructions")
    if ins and "ratio" in ins:
        rows.append((f"`check` / parse-only in instructions ({ins['label']}, 1 thread, callgrind)",
                     f"{ins['ratio']:.2f}x", f"≤ {CHECK_TARGET_RATIO:g}x", status(ins["ratio"] <= CHECK_TARGET_RATIO)))
    sg = results.get("semgrep")
    if sg and "ratio_time" in sg:
        hand = (sg.get("rulesets") or {}).get("hand")
        other = (f"; hand-written subset {hand['ratio_time']:.0f}x, Semgrep = {hand['semgrep_over_parse']:.0f}x parse"
                 if hand else "")
        timeouts = sg["semgrep"].get("timeouts") or 0
        rows.append((f"Semgrep time / `check` time (Semgrep with the full generated ruleset: same knowledge as "
                     f"privacy-lens; {sg['label']}, {sg['privacy_lens']['threads']} threads)",
                     f"{sg['ratio_time']:.0f}x (memory {sg['ratio_memory']:.1f}x; Semgrep = "
                     f"{sg['semgrep_over_parse']:.0f}x parse"
                     + (f"; {timeouts} Semgrep timeouts" if timeouts else "") + f"{other})",
                     f"≥ {SEMGREP_TARGET:g}x", status(sg["ratio_time"] >= SEMGREP_TARGET)))
    lsp = results.get("lsp")
    if lsp and "latency" in lsp:
        for x in lsp["latency"]:
            ok = x["did_change"]["p95"] < KEYSTROKE_TARGET_MS if x["lines"] >= 4000 and x["lines"] < 10000 else None
            rows.append((f"keystroke → diagnostics p95, {x['lines']:,}-line file",
                         f"{x['did_change']['p95']:.1f} ms (median {x['did_change']['median']:.1f} ms)",
                         f"< {KEYSTROKE_TARGET_MS:g} ms" if ok is not None else "–", status(ok)))
        ix = lsp["indexing"]
        if ix["status"] == "ok":
            ratio = ix.get("ratio_to_check")
            rows.append(("workspace indexing / `check`, whole corpus", f"{ix['seconds']:.2f} s"
                         + (f" = {ratio:.2f}x" if ratio else ""), f"≤ {INDEX_TARGET_RATIO:g}x",
                         status(ratio <= INDEX_TARGET_RATIO if ratio else None)))
            rows.append(("server memory with the corpus indexed", f"{ix['rss_mb']:.0f} MB",
                         f"< {INDEX_MEMORY_TARGET_MB:g} MB", status(ix["rss_mb"] < INDEX_MEMORY_TARGET_MB)))
        else:
            rows.append(("workspace indexing / `check`, whole corpus", ix["note"], f"≤ {INDEX_TARGET_RATIO:g}x", "–"))
            rows.append(("server memory with the corpus indexed", ix["note"], f"< {INDEX_MEMORY_TARGET_MB:g} MB", "–"))
    out = ["| target | measured | goal | status |", "| --- | --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "### Targets\n\n" + "\n".join(out)


SUITES: dict[str, Suite] = {
    s.name: s for s in (AllSuite(), ThroughputSuite(), ScalingSuite(), PackagesSuite(), SemgrepSuite(), LspSuite(),
                        MicroSuite(), InstructionsSuite())
}


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="benches/run.py",
        description="Benchmark privacy-lens on pinned corpora of real published code.",
    )
    p.add_argument("--cache-dir", type=Path,
                   help=f"where archives and unpacked corpora live (env {CACHE_ENV}; default {DEFAULT_CACHE})")
    p.add_argument("--corpus-file", type=Path, default=DEFAULT_CORPUS_FILE, help="pinned inputs (default benches/corpus.toml)")
    p.add_argument("--corpus", action="append", metavar="NAME",
                   help="corpus section to use (repeatable; default: every section with enabled = true)")
    p.add_argument("--suite", default="all", choices=sorted(SUITES), help="what to measure (default all)")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--runs", type=int, default=3, help="timed runs per measurement (default 3)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs before timing (default 1, min 1)")
    p.add_argument("--scale", default="100000,300000,1000000",
                   help="line counts of the scaling samples, besides the whole corpus (default 100000,300000,1000000)")
    p.add_argument("--no-build", action="store_true", help="do not run cargo build --release")
    p.add_argument("--binary", type=Path, help="binary to measure (default target/release/privacy-lens)")
    p.add_argument("--prepare-only", action="store_true", help="download and unpack the corpora, print their sizes, stop")
    p.add_argument("--json", type=Path, dest="json_out", help="also write the results JSON here")
    p.add_argument("--markdown", type=Path, default=REPO / "benches" / "results" / "latest.md",
                   help="where the `all` suite writes its table (default benches/results/latest.md)")
    g = p.add_argument_group("semgrep")
    g.add_argument("--semgrep-version", default="1.185.0", help="pinned Semgrep version (default 1.185.0)")
    # The generated full ruleset takes Semgrep about 3 CPU minutes on the
    # 100k sample and well over an hour on the whole corpus.
    g.add_argument("--semgrep-set", default="100k",
                   help="input set for Semgrep: 100k (default), 300k, 1M, python, npm, all (hours)")
    g.add_argument("--semgrep-jobs", type=int, help="semgrep -j, and check --threads to compare (default: the largest --threads)")
    g.add_argument("--semgrep-runs", type=int, default=1, help="Semgrep runs (default 1; it is slow)")
    g.add_argument("--semgrep-reuse", action="store_true",
                   help="reuse, per ruleset, a Semgrep measurement of the same rules, version, files and jobs "
                        "from the cache")
    g.add_argument("--no-semgrep", action="store_true", help="`all` without the Semgrep comparison")
    g = p.add_argument_group("language server")
    g.add_argument("--lsp-lines", default="500,5000,20000", help="file sizes for the latency bench (default 500,5000,20000)")
    g.add_argument("--lsp-iterations", type=int, default=200, help="samples per latency measure (default 200)")
    g.add_argument("--index-start-timeout", type=float, default=15.0,
                   help="seconds to wait for the server to begin $/progress for indexing (default 15)")
    g.add_argument("--index-timeout", type=float, default=900.0, help="seconds to wait for indexing to end (default 900)")
    g.add_argument("--no-lsp", action="store_true", help="`all` without the language-server suite")
    g = p.add_argument_group("micro-benchmarks")
    g.add_argument("--micro-max-time", type=float, default=1.0, help="divan --max-time per bench (default 1 s)")
    g.add_argument("--no-micro", action="store_true", help="`all` without the micro-benchmarks")
    g = p.add_argument_group("instruction counts")
    g.add_argument("--instructions-set", default="100k", help="input set for callgrind (default 100k; ~50x slower than native)")
    g.add_argument("--no-instructions", action="store_true", help="`all` without the callgrind instruction counts")
    a = p.parse_args(argv)
    try:
        a.threads = [int(t) for t in a.threads.split(",") if t.strip()]
        a.scale = [int(t) for t in a.scale.split(",") if t.strip()]
    except ValueError:
        p.error("--threads and --scale take comma-separated integers")
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
    os.environ[CACHE_ENV] = str(cache)  # for the cargo benches

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
    prepared = {c.key: prepare_corpus(c, cache) for c in corpora}
    for prep in prepared.values():
        print(corpus_markdown(prep) + "\n")
    total_lines = sum(p["lines"] for p in prepared.values())
    print(f"Total: {total_lines:,} lines in {sum(p['files'] for p in prepared.values()):,} files.\n")
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
    git = git_describe()  # before running: edits made meanwhile do not change what was measured
    result = suite.run(ctx)

    machine = machine_facts()
    machine["busy_cpus_at_start"] = load
    load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    machine["load_average_at_end"] = load_end
    corpus_sizes = ", ".join(f"{p['label']} {p['lines']:,}" for p in prepared.values())
    header = (f"privacy-lens benchmarks, suite `{suite.name}`, {started.strftime('%Y-%m-%d %H:%M')} UTC, "
              f"commit {(git['commit'] or '?')[:12]}{' (dirty)' if git['dirty'] else ''}; machine: {machine_line(machine)}"
              + (f"; other processes kept {load:.2f} CPUs busy at start" if load is not None and load > 0.25 else "")
              + (f", 1-minute load average {load_end:.1f} at the end" if load_end is not None else "")
              + f". Corpus: {total_lines:,} lines ({corpus_sizes}).")
    markdown = f"## {suite.name}\n\n{header}\n\n{result['markdown']}\n"
    print(markdown)
    doc = {
        "suite": suite.name,
        "started_utc": started.isoformat(timespec="seconds"),
        "binary": str(binary),
        "git": git,
        "machine": machine,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(a).items()},
        "corpora": prepared,
        "sets": {k: {"dir": str(s.dir), "files": s.files, "lines": s.lines, "bytes": s.bytes} for k, s in ctx.sets.items()},
        **result["json"],
    }
    results_dir = cache / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"{suite.name}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    text = json.dumps(doc, indent=2, default=str) + "\n"
    path.write_text(text)
    (results_dir / f"{suite.name}-latest.json").write_text(text)
    (results_dir / f"{suite.name}-latest.md").write_text(markdown)
    if a.json_out:
        a.json_out.write_text(text)
    if suite.name == "all" and a.markdown:
        a.markdown.parent.mkdir(parents=True, exist_ok=True)
        a.markdown.write_text(markdown)
        print(f"table: {a.markdown}")
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        log(f"error: {e}")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
