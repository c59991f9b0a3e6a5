#!/usr/bin/env python3
"""Generate benches/semgrep/privacy-taint-full.yaml from privacy-lens's own knowledge.

    python3 benches/semgrep/generate.py            # write the ruleset
    python3 benches/semgrep/generate.py --check    # fail if the committed file is stale
    python3 benches/semgrep/generate.py --stats    # also print what was generated

The hand-written `privacy-taint.yaml` is a small subset of what privacy-lens
looks for (one alternation of ~40 name fragments, ~60 sinks). This script
writes the same two taint rules (Python; JavaScript + TypeScript), with the
same options and structure, from the data privacy-lens itself runs on:

- sources: every term of `src/knowledge/vocabulary.toml`, matched the way
  `src/analysis/classify.rs` matches names: split into tokens at `_`, `-`,
  camelCase humps and letter/digit boundaries; singular and plural tokens
  alike; `exclude_tokens`, `exclude_names` and each term's `exclude_with`;
  `contextual` terms only with person-object context (a person word in the
  name itself, or the object an attribute or key is read from). Names are
  tested where `src/analysis/flow.rs` tests them: attribute reads, string
  keys (`row["email"]`, `.get("email")`, `df[["email"]]`), parameters,
  variables bound to a non-constant value, keyword arguments. Plus the
  `[[literal]]` regexes on string literals and column selections on tables
  loaded by the catalogue's `data_loaders`;
- sinks: every `calls` glob of every `[[sink]]` of `src/knowledge/sinks/`
  (`python.toml`, `javascript.toml`), restricted to the entry's `data` and
  `identifiers` arguments, plus the resolver's fallback (a call on an
  unresolved client in a file that imports the client's module, see
  `src/analysis/sinks.rs`) and the `.fit`/`.predict` heuristic of
  `src/analysis/flow.rs` (a model-named receiver in a file importing one of
  the catalogue's `ml_modules`);
- sanitizers: every `[[sanitizer]]` and `opaque_calls` entry;
- propagators: the mutating methods of flow.rs (`texts.append(note)`).

What a Semgrep pattern cannot say is written as a comment in the generated
file (and summarised in benches/README.md). Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KNOWLEDGE = REPO / "src" / "knowledge"
OUT = REPO / "benches" / "semgrep" / "privacy-taint-full.yaml"
CLASSIFY_RS = REPO / "src" / "analysis" / "classify.rs"
FLOW_RS = REPO / "src" / "analysis" / "flow.rs"

# ---------------------------------------------------------------------------
# The classifier's tokeniser and singulariser (src/analysis/classify.rs)
# ---------------------------------------------------------------------------


def tokens(name: str) -> list[str]:
    """`customerEmail_address2` -> customer, email, address, 2 (ASCII path of classify::tokens)."""
    out, cur = [], ""
    for i, c in enumerate(name):
        if not c.isascii() or not c.isalnum():
            if cur:
                out.append(cur)
            cur = ""
            continue
        if i > 0:
            p = name[i - 1]
            n = name[i + 1] if i + 1 < len(name) else ""
            boundary = ((p.islower() and c.isupper())
                        or (p.isupper() and c.isupper() and n.islower())
                        or (p.isascii() and p.isalnum() and p.isdigit() != c.isdigit()))
            if boundary and cur:
                out.append(cur)
                cur = ""
        cur += c.lower()
    if cur:
        out.append(cur)
    return out


def singular(t: str) -> str:
    if len(t) <= 3:
        return t
    if t.endswith("sses"):
        return t[:-2]
    if t.endswith(("ss", "us", "is")):
        return t
    return t[:-1] if t.endswith("s") else t


def surface_forms(tok: str) -> list[str]:
    """Name tokens that singularise to the same token as this pattern token."""
    s = singular(tok)
    return [f for f in (s, s + "s", s + "es") if singular(f) == s]


# ---------------------------------------------------------------------------
# Regex building (PCRE, as Semgrep's metavariable-regex uses)
# ---------------------------------------------------------------------------

# Token boundaries of classify::tokens, as zero-width assertions. Letters are
# matched case-insensitively; the camelCase assertions stay case-sensitive.
# They are defined once per regex (PCRE `(?(DEFINE)…)`) and called by name.
CAMEL = r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])"
PRELUDE = ("(?(DEFINE)"
           rf"(?<l>(?-i:(?<![A-Za-z])|{CAMEL}))"  # a letter token starts here
           rf"(?<r>(?-i:(?![A-Za-z])|{CAMEL}))"  # a letter token ends here
           rf"(?<j>[^A-Za-z0-9]+|(?-i:{CAMEL}))"  # between two letter tokens
           ")")
LB, RB, J_LL = "(?&l)", "(?&r)", "(?&j)"
J_MIX = r"[^A-Za-z0-9]*"  # between a letter and a digit token
J_DD = r"[^A-Za-z0-9]+"  # between two digit tokens
END = {"a": RB, "d": r"(?![0-9])"}


def kind(tok: str) -> str:
    return "d" if tok.isdigit() else "a"


def junction(a: str, b: str) -> str:
    ka, kb = kind(a), kind(b)
    if ka == kb == "a":
        return J_LL
    if ka == kb == "d":
        return J_DD
    return J_MIX


class Trie:
    """Alternations with shared prefixes factored out (keeps the regexes small)."""

    def __init__(self):
        self.kids: dict[str, Trie] = {}
        self.end = False

    def add(self, symbols: list[str]):
        node = self
        for sym in symbols:
            node = node.kids.setdefault(sym, Trie())
        node.end = True

    def regex(self) -> str:
        alts = [sym + self.kids[sym].regex() for sym in sorted(self.kids)]
        if not alts:
            return ""
        if len(alts) == 1:
            body = alts[0]
            if not self.end:
                return body
            return body + "?" if len(body) == 1 or re.fullmatch(r"\\.", body) else f"(?:{body})?"
        return "(?:" + "|".join(alts) + ")" + ("?" if self.end else "")


def lit(s: str) -> list[str]:
    return [re.escape(c) for c in s]


def sequences_regex(seqs: list[list[str]], plural: bool, end: bool = True) -> str:
    """A regex for any of the token sequences, tokens joined as classify::tokens
    splits them, followed by the end-of-token boundary (unless `end` is False)."""
    tries = {"a": Trie(), "d": Trie()}
    for seq in seqs:
        per_token = [surface_forms(t) if plural else [t] for t in seq]
        for forms in itertools.product(*per_token):
            syms: list[str] = []
            for i, f in enumerate(forms):
                if i:
                    syms.append(junction(seq[i - 1], seq[i]))
                syms += lit(f)
            tries[kind(seq[-1])].add(syms)
    alts = []
    for k_, trie in tries.items():
        if trie.kids:
            alts.append(f"(?:{trie.regex()})" + (END[k_] if end else ""))
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def words_regex(words: list[str], plural: bool = False) -> str:
    return sequences_regex([[w] for w in sorted(set(words))], plural)


def start_boundary(seqs: list[list[str]]) -> str:
    kinds = {kind(s[0]) for s in seqs}
    if kinds == {"a"}:
        return LB
    if kinds == {"d"}:
        return r"(?<![0-9])"
    return r"(?:(?<![0-9])(?=[0-9])|" + LB + r"(?=[A-Za-z]))"


def anywhere(seqs: list[list[str]], plural: bool) -> str:
    """One of the sequences occurs as whole tokens somewhere (after the current position)."""
    return r".*?" + start_boundary(seqs) + sequences_regex(seqs, plural)


# ---------------------------------------------------------------------------
# Knowledge
# ---------------------------------------------------------------------------


def load() -> dict:
    k = {
        "vocabulary": tomllib.loads((KNOWLEDGE / "vocabulary.toml").read_text()),
        "python": tomllib.loads((KNOWLEDGE / "sinks" / "python.toml").read_text()),
        "javascript": tomllib.loads((KNOWLEDGE / "sinks" / "javascript.toml").read_text()),
    }
    k["role_mailboxes"] = rust_str_list(CLASSIFY_RS, "ROLE_MAILBOXES")
    k["model_words"] = rust_str_list(FLOW_RS, "MODEL_WORDS")
    k["mutators"] = rust_str_list(FLOW_RS, "MUTATORS")
    m = re.search(r'const LOW_SIGNAL_PREFIX: &str = "([^"]+)";', FLOW_RS.read_text())
    if not m:
        raise SystemExit(f"LOW_SIGNAL_PREFIX not found in {FLOW_RS}")
    k["low_signal"] = m.group(1)
    return k


def rust_str_list(path: Path, name: str) -> list[str]:
    m = re.search(rf"const {name}: &\[&str\] = &\[(.*?)\];", path.read_text(), re.S)
    if not m:
        raise SystemExit(f"{name} not found in {path}: update generate.py")
    return re.findall(r'"([^"]*)"', m.group(1))


@dataclass
class Vocab:
    # Each a list of (prefilter, regex) pairs, one per bucket of first tokens: a
    # name matches the vocabulary when it passes both regexes of some bucket.
    name: list[tuple[str, str]]  # strong terms, or contextual ones with a person word in the name itself
    contextual: list[tuple[str, str]]  # contextual terms, for an attribute or key of an object naming a person
    person: str  # an expression that mentions a person object
    literal: str  # personal values written in a string
    stats: dict


# Semgrep 1.185 compiles a metavariable-regex each time it tests a candidate
# (the cost grows with the regex's length, not with the match: a 30,000-character
# regex that fails at once costs as much as one that matches), and its PCRE2
# refuses compiled patterns over 64 KB. So the term groups (same strength and
# exclude_with) are packed into buckets of about this many characters; each
# bucket is a source whose first metavariable-regex is a short prefilter (one of
# the bucket's first tokens at a token start) and whose second is the exact test.
BUCKET_CHARS = 12_000


def contains(longer: tuple, shorter: tuple) -> bool:
    n = len(shorter)
    return any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def vocabulary_regexes(k: dict) -> Vocab:
    v = k["vocabulary"]
    low = k["low_signal"]
    person = sorted({w.lower() for w in v["person_objects"]})
    excl_tokens = sorted({w.lower() for w in v["exclude_tokens"]})
    excl_names = [tokens(n) for n in v.get("exclude_names", [])]

    items = []  # (strength, exclude_with, singular tokens)
    dropped = 0
    for term in v["term"]:
        cat = term["category"]
        if cat == low or cat.startswith(low + "."):
            dropped += len(term["patterns"])
            continue
        excl = frozenset(x.lower() for x in term.get("exclude_with", []))
        for p in term["patterns"]:
            toks = tuple(singular(t) for t in tokens(p))
            if toks:
                items.append((term["strength"], excl, toks))
    # A pattern is redundant when a pattern it contains matches every name it
    # matches: `phone_number` next to `phone` with no more exclusions and no
    # stricter strength. Which category wins does not matter to a taint rule.
    kept = []
    for i, (s1, e1, q) in enumerate(items):
        redundant = any(
            j != i and contains(q, p) and (s2 == "strong" or s1 == "contextual") and e2 <= e1
            and (len(p) < len(q) or j < i)
            for j, (s2, e2, p) in enumerate(items))
        if not redundant:
            kept.append((s1, tuple(sorted(e1)), q))

    head = (r"(?is)" + PRELUDE + r"^(?!.{129})"  # classify_name gives up on names over 128 bytes
            + f"(?![^A-Za-z0-9]*{sequences_regex(excl_names, plural=False, end=False)}[^A-Za-z0-9]*$)"
            + f"(?!{anywhere([[t] for t in excl_tokens], plural=False)})")
    self_context = f"(?={anywhere([[p] for p in person], plural=True)})"  # is_person_token: singular too

    def exact(patterns: list[tuple[str, tuple, tuple]], need_context: bool) -> str:
        groups: dict[tuple, list[list[str]]] = {}
        for s_, e_, q in patterns:
            groups.setdefault((s_, e_), []).append(list(q))

        def alts(strength: str) -> list[str]:
            out = []
            for (s_, excl), seqs in sorted(groups.items()):
                if s_ == strength:
                    guard = f"(?!{anywhere([[x] for x in excl], plural=False)})" if excl else ""
                    out.append(guard + anywhere(seqs, plural=True))
            return out

        strong, ctx = alts("strong"), alts("contextual")
        if ctx and need_context:
            strong.append(self_context + "(?:" + "|".join(ctx) + ")")
        elif ctx:
            strong += ctx
        return head + "(?:" + "|".join(strong) + ")"

    def buckets(patterns: list, need_context: bool) -> list[tuple[str, str]]:
        """Term groups packed into buckets of about BUCKET_CHARS characters (a group's
        exclusions stay with its patterns); the prefilter of a bucket is the first
        tokens of its patterns."""
        groups: dict[tuple, list] = {}
        for it in patterns:
            groups.setdefault(it[:2], []).append(it)
        sizes = {key: len(exact(its, need_context)) - len(head) for key, its in groups.items()}
        n = max(1, round(sum(sizes.values()) / BUCKET_CHARS))
        bins: list[list[tuple]] = [[] for _ in range(n)]
        load = [0] * n
        for key in sorted(sizes, key=lambda key_: (-sizes[key_], key_)):
            i = load.index(min(load))
            bins[i].append(key)
            load[i] += sizes[key]
        out = []
        for keys in bins:
            its = [it for key in sorted(keys) for it in groups[key]]
            firsts = sorted({it[2][0] for it in its})
            pre = r"(?is)" + PRELUDE + r"^" + anywhere([[f] for f in firsts], plural=True)
            out.append((pre, exact(its, need_context)))
        return out

    name = buckets(kept, need_context=True)
    # With an object that names a person, contextual terms count as they are.
    ctx = buckets([(("strong",) + it[1:]) for it in kept if it[0] == "contextual"], need_context=False)
    person_expr = r"(?s)" + PRELUDE + r"^.*?" + LB + words_regex(person, plural=True)

    # Literal values (classify_literal), role mailboxes excepted.
    roles = "|".join(re.escape(r) for r in k["role_mailboxes"])
    lits = []
    for entry in v.get("literal", []):
        rx = entry["regex"]
        if entry["category"].startswith("user.contact.email"):
            rx = rx.replace(r"\b[A-Za-z0-9]", rf"\b(?!(?i:{roles})@)[A-Za-z0-9]", 1)
        lits.append(f"(?:{rx})")
    literal = r"(?s)^(?!.{4097})(?=.*(?:@|(?:\D*\d){7})).*?(?:" + "|".join(lits) + ")"
    stats = {"terms": len(v["term"]), "patterns": len(items), "patterns_after_containment": len(kept),
             "groups": len({(s_, e_) for s_, e_, _ in kept}), "low_signal_patterns_left_out": dropped,
             "person_objects": len(person), "exclude_tokens": len(excl_tokens), "exclude_names": len(excl_names),
             "literals": len(lits), "name_regexes": [(len(a), len(b)) for a, b in name],
             "context_regexes": [(len(a), len(b)) for a, b in ctx]}
    for rx in [x for pair in name + ctx for x in pair] + [person_expr, literal]:  # rough syntax check
        re.compile(re.sub(r"\(\?&\w\)", "", rx.replace(PRELUDE, "")))
    return Vocab(name, ctx, person_expr, literal, stats)


# ---------------------------------------------------------------------------
# Catalogue globs -> Semgrep expressions
# ---------------------------------------------------------------------------

# `**` crosses segments; Semgrep has no such wildcard in a dotted chain, so it
# is expanded into chains of up to three segments (no doubled calls).
STARSTAR = ["", "*", "*()", "*.*", "*().*", "*.*()", "*().*()", "*.*.*", "*.*.*()"]
# Right after a call (`creator()**.do`): up to three further method calls.
STARSTAR_AFTER_CALL = ["", ".*()", ".*().*()", ".*().*().*()"]
SEGMENT = re.compile(r"([^.()]+)((?:\(\))*)")
JS_GLOBALS = {"console", "Number", "Array", "Object", "Buffer", "Boolean", "isNaN", "isFinite", "JSON",
              "Math", "String", "crypto"}


@dataclass(frozen=True)
class Seg:
    name: str  # may contain `*` (within the segment)
    calls: int


def parse_chain(text: str) -> list[Seg] | None:
    """`a.b().c` -> segments; None when the text is not a chain of named segments."""
    segs, pos = [], 0
    while pos < len(text):
        m = SEGMENT.match(text, pos)
        if not m:
            return None
        segs.append(Seg(m.group(1), len(m.group(2)) // 2))
        pos = m.end()
        if pos < len(text):
            if text[pos] != ".":
                return None
            pos += 1
            if pos == len(text):
                return None
    return segs or None


def expand_starstar(glob: str) -> list[str]:
    """`**` -> chains of up to three segments (without doubling a call: `X()()`),
    keeping only the substitutions that leave a chain of named segments. Where
    `*` is possible, the empty substitution is dropped: `*` covers it."""
    parts = glob.split("**")
    if len(parts) == 1:
        return [glob]

    def subst(combo) -> str:
        return parts[0] + "".join(c + p for c, p in zip(combo, parts[1:]))

    def ok(s: str) -> bool:
        return s.count("()()") <= glob.count("()()") and parse_chain(re.sub(r"^[^.(]+", "m", s)) is not None

    out = []
    choices = [STARSTAR_AFTER_CALL if left.endswith(")") else STARSTAR for left in parts[:-1]]
    for combo in itertools.product(*choices):
        s = subst(combo)
        if not ok(s):
            continue
        if any(c == "" and ok(subst(combo[:i] + ("*",) + combo[i + 1:])) for i, c in enumerate(combo)):
            continue
        out.append(s)
    return list(dict.fromkeys(out))


def glob_regex(name: str) -> str:
    return "^" + "".join(r"[^.]*" if c == "*" else re.escape(c) for c in name) + "$"


class Mv:
    """Fresh metavariables and the regexes they carry within one pattern."""

    def __init__(self):
        self.n = 0
        self.regexes: list[tuple[str, str]] = []

    def glob(self, name: str) -> str:
        if "*" not in name:
            return name
        self.n += 1
        mv = f"$W{self.n}"
        if name != "*":
            body = "".join(r"[A-Za-z0-9_$]*" if c == "*" else re.escape(c) for c in name)
            self.regexes.append((mv, f"^{body}$"))
        return mv


def call_forms(text: str, mode: str) -> list[str]:
    return {"plain": [f"{text}(...)"], "new": [f"new {text}(...)"],
            "both": [f"{text}(...)", f"new {text}(...)"]}[mode]


def new_mode(name: str | None) -> str:
    """Whether a JavaScript call of this name is `new X(...)`, `X(...)` or either:
    capitalised names are constructors; wildcards and a module's default
    export (name None) can be either."""
    if name is None or "*" in name:
        return "both"
    return "new" if name[:1].isupper() else "plain"


def chain_expr(root: str, root_calls: int, segs: list[Seg], mv: Mv, js: bool,
               root_name: str | None = None) -> list[str]:
    """Expression texts for `root` (already a Semgrep expression), called
    `root_calls` times, then the segments. In JavaScript the first call of the
    chain may be a constructor call (`new`)."""
    variants = [(root, False)]  # (text, a call happened)

    def called(text: str, seen: bool, n: int, name: str | None) -> list[tuple[str, bool]]:
        if n == 0:
            return [(text, seen)]
        forms = call_forms(text, new_mode(name)) if js and not seen else [f"{text}(...)"]
        return [(f + "(...)" * (n - 1), True) for f in forms]

    variants = [v for t, seen in variants for v in called(t, seen, root_calls, root_name)]
    for seg in segs:
        name = mv.glob(seg.name)
        variants = [v for t, seen in variants for v in called(f"{t}.{name}", seen, seg.calls, seg.name)]
    return [t for t, _ in variants]


def with_sink_call(segs: list[Seg]) -> list[Seg]:
    """The catalogue names the callee; the sink is a call of it."""
    return segs[:-1] + [Seg(segs[-1].name, segs[-1].calls + 1)]


@dataclass
class Alt:
    """One Semgrep alternative: a pattern, its metavariable regexes, an optional guard."""
    pattern: str
    regexes: tuple = ()
    guard: str | None = None  # key into the guard table


def python_alts(glob: str, call: bool = True) -> list[Alt]:
    """A Python callee glob -> patterns of the call. Semgrep resolves imports and
    aliases of dotted names itself; `symbolic_propagation` follows `x = Ctor()`."""
    out = []
    for g in expand_starstar(glob):
        segs = parse_chain(g)
        if not segs or segs[0].calls:  # a module is never called
            continue
        if call:
            segs = with_sink_call(segs)
        mv = Mv()
        root = mv.glob(segs[0].name)
        for e in chain_expr(root, segs[0].calls, segs[1:], mv, js=False):
            out.append(Alt(e, tuple(mv.regexes)))
    return dedupe(out)


def js_split_module(glob: str) -> tuple[str, str]:
    """`@scope/pkg/sub.Name().x` -> (`@scope/pkg/sub`, `.Name().x`); `face-api.js.x` keeps `.js`."""
    m = re.match(r"([^.(]+(?:\.js(?=$|[.(]))?)(.*)", glob)
    return m.group(1), m.group(2)


def js_alts(glob: str, guards: dict) -> list[Alt]:
    """A JavaScript/TypeScript callee glob -> patterns of the call, each under an
    import guard that binds `$B` to the module (default import, namespace,
    require) or to a named export. Module specifiers are not expressions in
    Semgrep, so the module is matched in the import statement."""
    out = []
    for g in expand_starstar(glob):
        module, rest = js_split_module(g)
        m = re.match(r"((?:\(\))*)(.*)", rest)
        mcalls, rest = len(m.group(1)) // 2, m.group(2)
        if rest and not rest.startswith("."):
            continue
        segs = parse_chain(rest[1:]) if rest else []
        if segs is None:
            continue
        if segs:
            segs = with_sink_call(segs)
        else:
            mcalls += 1
        # The module itself bound to $B.
        mv = Mv()
        key = guard_key(guards, "module", module, None)
        out += [Alt(e, tuple(mv.regexes), key) for e in chain_expr("$B", mcalls, segs, mv, js=True)]
        if module in JS_GLOBALS and mcalls == 0:  # console.log, Number.isInteger: no import
            mv = Mv()
            out += [Alt(e, tuple(mv.regexes)) for e in chain_expr(module, 0, segs, mv, js=True)]
        # A named export bound to $B (`import { N } from "m"`, `const { N } = require("m")`).
        if mcalls == 0 and segs:
            mv = Mv()
            key = guard_key(guards, "named", module, segs[0].name)
            out += [Alt(e, tuple(mv.regexes), key)
                    for e in chain_expr("$B", segs[0].calls, segs[1:], mv, js=True, root_name=segs[0].name)]
    return dedupe(out)


def dedupe(alts: list[Alt]) -> list[Alt]:
    seen, out = set(), []
    for a in alts:
        k = (a.pattern, a.regexes, a.guard)
        if k not in seen:
            seen.add(k)
            out.append(a)
    return out


def guard_key(guards: dict, kind_: str, module: str, name: str | None) -> str:
    key = f"{kind_}:{module}:{name or ''}"
    guards.setdefault(key, (kind_, module, name))
    return key


def js_guard(kind_: str, modules: list[str], name: str | None) -> list[dict]:
    """pattern-inside alternatives binding $B to one of the modules (or to the
    named export `name` of one of them)."""
    if len(modules) == 1 and "*" not in modules[0]:
        spec, mod_rx = f'"{modules[0]}"', []
    else:
        bodies = sorted(glob_regex(m)[1:-1] for m in modules)
        spec, mod_rx = '"$MOD"', [("$MOD", "^(?:" + "|".join(bodies) + ")$")]

    def inside(text: str, regexes: list) -> dict:
        body = {"pattern-inside": text + "\n...\n"}
        if not regexes:
            return body
        return {"patterns": [body] + [{"metavariable-regex": {"metavariable": m, "regex": r}} for m, r in regexes]}

    if kind_ == "module":
        return [inside(f"import $B from {spec};", mod_rx),
                inside(f"import * as $B from {spec};", mod_rx),
                inside(f"$B = require({spec});", mod_rx)]
    # A named export: `import { N }`, `import { N as x }`, `const { N } = require(…)`,
    # `const { N: x } = require(…)`, `const x = require(…).N`. (With a literal module
    # Semgrep also reads the require forms as the import-as one; with $MOD it does not.)
    name_rx = glob_regex(name).replace("[^.]*", "[A-Za-z0-9_$]*")
    if "*" in name:
        return [inside(f"import {{ $B }} from {spec};", mod_rx + [("$B", name_rx)]),
                inside(f"import {{ $N as $B }} from {spec};", mod_rx + [("$N", name_rx)]),
                inside(f"const {{ $N: $B }} = require({spec});", mod_rx + [("$N", name_rx)]),
                inside(f"$B = require({spec}).$N;", mod_rx + [("$N", name_rx)])]
    return [inside(f"import {{ $B }} from {spec};", mod_rx + [("$B", name_rx)]),
            inside(f"import {{ {name} as $B }} from {spec};", mod_rx),
            inside(f"const {{ {name}: $B }} = require({spec});", mod_rx),
            inside(f"$B = require({spec}).{name};", mod_rx)]


# ---------------------------------------------------------------------------
# Data arguments of a sink (SinkEntry::data / identifiers, eval_sink_call)
# ---------------------------------------------------------------------------


def data_forms(entry: dict, js: bool) -> list[dict] | None:
    """Patterns binding $D to the arguments that carry data (eval_sink_call);
    None: every argument does."""
    data = list(entry.get("data", []))
    if not data:
        return None
    idents = entry.get("identifiers", [])
    calls = ["$F({})", "new $F({})"] if js else ["$F({})"]

    def call(args: str, regexes: list | None = None) -> dict:
        node = either([{"pattern": c.format(args)} for c in calls])
        if not regexes:
            return node
        return {"patterns": [node] + [{"metavariable-regex": {"metavariable": m, "regex": r}} for m, r in regexes]}

    # Named arguments: keywords, keys of a dict / properties of an object argument. A raw
    # identifier in a user-id field (`user=`, `metadata.user_id`) is a finding too (PL110).
    id_roots = {i.split(".")[0] for i in idents}
    names = [d for d in data if not d.startswith("$") and d not in id_roots]
    names += [i for i in idents if "." not in i]
    forms: list[dict] = []
    if names:
        kw = [("$KW", "^(?:" + "|".join(re.escape(n) for n in sorted(set(names))) + ")$")]
        if js:
            forms.append(call("..., {..., $KW: $D, ...}, ...", kw))
        else:
            forms.append(call("..., $KW=$D, ...", kw))
            forms.append(call('..., {..., "$KW": $D, ...}, ...', kw))
    for i in idents:
        root, _, key = i.partition(".")
        if key:
            forms.append(call(f"..., {{..., {root}: {{..., {key}: $D, ...}}, ...}}, ..." if js
                              else f'..., {root}={{..., "{key}": $D, ...}}, ...'))
    for d in data:
        m = re.fullmatch(r"\$(\d+)", d)
        if m:
            forms.append(call(", ".join([f"$X{j}" for j in range(int(m.group(1)))] + ["$D", "..."])))
    if "$receiver" in data:
        forms.append({"pattern": "$D.$METHOD(...)"})
    if js:
        # An argument that is not an object literal counts whole (opaque options).
        forms.append(call("..., $D, ...", [("$D", r"^(?!\{)")]))
        forms.append(call("..., ...$D, ..."))
    else:
        forms.append(call("..., *$D, ..."))
        forms.append(call("..., **$D, ..."))
    return forms


# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


def alt_node(a: Alt) -> dict:
    if not a.regexes:
        return {"pattern": a.pattern}
    return {"patterns": [{"pattern": a.pattern}]
            + [{"metavariable-regex": {"metavariable": m, "regex": r}} for m, r in a.regexes]}


def either(nodes: list[dict]) -> dict:
    return nodes[0] if len(nodes) == 1 else {"pattern-either": nodes}


class Comment(str):
    """A comment line inside a YAML sequence."""


def sources(vocab: Vocab, lang: str, k: dict) -> list:
    def each(pattern: dict, metavariable: str, regexes, extra: list | None = None,
             after: list | None = None) -> list:
        """One source per bucket of the vocabulary (see BUCKET_CHARS): prefilter, then the exact test."""
        if isinstance(regexes, str):
            regexes = [(regexes,)]
        head = pattern["patterns"] if "patterns" in pattern else [pattern]
        # `exact`: the matched expression is the personal value, not the code inside it
        # (`client.chat.completions.create(…).choices[0].message` must not taint the call).
        return [{"patterns": head + (extra or [])
                 + [{"metavariable-regex": {"metavariable": metavariable, "regex": rx}} for rx in rxs]
                 + (after or []), "exact": True}
                for rxs in regexes]

    on_person = lambda mv: [{"metavariable-regex": {"metavariable": mv, "regex": vocab.person}}]  # noqa: E731
    keys = either([{"pattern": '$OBJ["$KEY"]'}, {"pattern": '$OBJ.get("$KEY", ...)'}]
                  + ([{"pattern": '$OBJ[[..., "$KEY", ...]]'}] if lang == "python" else []))
    out: list = [Comment("user.email, patient.diagnosis, self.phone_number: the attribute's own name")]
    out += each({"pattern": "$OBJ.$ATTR"}, "$ATTR", vocab.name)
    out.append(Comment("patient.name, customer.age: contextual terms on an object that names a person"))
    out += each({"pattern": "$OBJ.$ATTR"}, "$ATTR", vocab.contextual, on_person("$OBJ"))
    # Names of variables label a value where they are bound (flow.rs): a parameter,
    # an assignment or loop target whose value is not a constant, a keyword
    # argument. A later use of the variable carries whatever was bound to it.
    constant = r"^(?!(?:\"[^\"]*\"|'[^']*'|[0-9][0-9._xXa-fA-FeEjJ+-]*|True|False|None|true|false|null|undefined)$)"
    if lang == "python":
        params = [f"def $F(..., {p}, ...):\n  ...\n" for p in ("$NAME", "$NAME: $T", "$NAME = $DEF", "$NAME: $T = $DEF")]
        loops = ["for $NAME in $VAL:\n  ...\n"]
    else:
        params = ["function $F(..., $NAME, ...) { ... }", "function (..., $NAME, ...) { ... }",
                  "(..., $NAME, ...) => $BODY", "$F(..., $NAME, ...) { ... }"]
        loops = ["for (const $NAME of $VAL) $BODY", "for (let $NAME of $VAL) $BODY"]
    out.append(Comment("def f(email), (patientName) => …: parameters"))
    out += each(either([{"pattern": p} for p in params]), "$NAME", vocab.name, after=[{"focus-metavariable": "$NAME"}])
    out.append(Comment("email = row.value, for phone in phones: a personal name bound to a value that is not a constant"))
    bind = either([{"pattern": "$NAME = $VAL"}] + [{"pattern": loop} for loop in loops])
    out += [dict(x, **{"by-side-effect": True}) for x in
            each(bind, "$NAME", vocab.name, [{"focus-metavariable": "$NAME"},
                                             {"metavariable-regex": {"metavariable": "$VAL", "regex": constant}}])]
    if lang == "python":
        out.append(Comment("prompt.format(email=addr): a keyword argument names the data"))
        out += (
                each({"patterns": [{"pattern-inside": "$F(..., $NAME=$VAL, ...)"}, {"pattern": "$VAL"}]}, "$NAME",
                     vocab.name, [{"metavariable-regex": {"metavariable": "$VAL", "regex": constant}}]))
    out.append(Comment('record["email"], df[["email", "age"]], row.get("ssn")' if lang == "python"
                       else 'record["email"], searchParams.get("email")'))
    out += each(keys, "$KEY", vocab.name)
    out.append(Comment('customer["age"]: contextual keys on an object that names a person'))
    out += each(keys, "$KEY", vocab.contextual, on_person("$OBJ"))
    if lang == "python":
        loaders = []
        for glob in k["python"].get("data_loaders", []):
            for a in python_alts(glob):  # a loader's result, and what is derived from it
                loaders.append(alt_node(Alt(f"<... {a.pattern} ...>", a.regexes)))
        out.append(Comment('df[["age", "zip_code"]], df["age"]: columns of a table from one of the catalogue\'s '
                           f'{len(k["python"].get("data_loaders", []))} data_loaders (contextual terms count: '
                           'the rows are people)'))
        out += each(either([{"pattern": '$DF[[..., "$KEY", ...]]'}, {"pattern": '$DF["$KEY"]'}]), "$KEY",
                    vocab.contextual, [{"metavariable-pattern": {"metavariable": "$DF", "pattern-either": loaders}}])
    out.append(Comment("Personal values written in a string: e-mail addresses (not role mailboxes), phone "
                       "numbers, SSNs, card numbers, IBANs, NI numbers"))
    out += each({"pattern": '"$STR"'}, "$STR", vocab.literal)
    return out


def sanitizers(cat: dict, lang: str, guards: dict) -> list:
    out: list = []
    alts: list[Alt] = []
    for s in cat.get("sanitizer", []):
        note = f"{s['name']}"
        if s.get("categories"):
            note += (" (privacy-lens: removes only " + ", ".join(s["categories"])
                     + "; a Semgrep sanitizer removes all taint)")
        out.append(Comment(note))
        for g in s["calls"]:
            alts += call_alts(g, lang, guards)
    n = len(cat.get("opaque_calls", []))
    out.append(Comment(f"opaque_calls ({n}): their result carries none of their arguments' data"))
    for g in cat.get("opaque_calls", []):
        alts += call_alts(g, lang, guards)
    out.append(guarded_either(dedupe(alts), guards, lang))
    return out


def propagators(k: dict, lang: str) -> list:
    """`texts.append(note)`: the container now holds the data (MUTATORS in flow.rs)."""
    args = ["..., $FROM, ..."] + (["..., $KW=$FROM, ...", "..., *$FROM, ..."] if lang == "python"
                                  else ["..., ...$FROM, ..."])
    return [Comment(f"{len(k['mutators'])} mutating methods carry their arguments into the receiver"),
            {"patterns": [either([{"pattern": f"$TO.$METHOD({a})"} for a in args]),
                          {"metavariable-regex": {"metavariable": "$METHOD",
                                                  "regex": "^(?:" + "|".join(k["mutators"]) + ")$"}}],
             "from": "$FROM", "to": "$TO"}]


def call_alts(glob: str, lang: str, guards: dict) -> list[Alt]:
    return python_alts(glob) if lang == "python" else js_alts(glob, guards)


def guarded_either(alts: list[Alt], guards: dict, lang: str) -> dict:
    """One pattern-inside block per guard. JavaScript modules whose calls have
    the same patterns (`@langchain/openai`, `@langchain/anthropic`: `.invoke`,
    `.stream`, …) share one block whose import names any of them."""
    by_guard: dict[str | None, list[Alt]] = {}
    for a in alts:
        by_guard.setdefault(a.guard, []).append(a)
    nodes = [alt_node(a) for a in by_guard.pop(None, [])]
    # (kind, name) -> pattern -> modules; then patterns with the same modules share a block.
    per_pattern: dict[tuple, dict[tuple, set[str]]] = {}
    for g, items in by_guard.items():
        if g.startswith("import:"):
            inside = [{"pattern-inside": t} for t in guards[g]]
            nodes.append({"patterns": [either(inside), either([alt_node(a) for a in items])]})
            continue
        kind_, module, name = guards[g]
        for a in items:
            per_pattern.setdefault((kind_, name), {}).setdefault((a.pattern, a.regexes), set()).add(module)
    for (kind_, name), pats in per_pattern.items():
        blocks: dict[tuple, list[tuple]] = {}
        for pat, modules in pats.items():
            blocks.setdefault(tuple(sorted(modules)), []).append(pat)
        for modules, body in blocks.items():
            nodes.append({"patterns": [either(js_guard(kind_, list(modules), name)),
                                       either([alt_node(Alt(p, r)) for p, r in body])]})
    return either(nodes)


def fallback_root(glob: str, lang: str) -> tuple[str, str] | None:
    """Resolver::new: `module.Class().rest.of.path` with no `*` before the first `()`."""
    if "()." not in glob:
        return None
    head, rest = glob.split("().", 1)
    if "." not in rest or "*" in head:
        return None
    root = head.split(".")[0] if lang == "python" else js_split_module(head)[0]
    return root, rest


def import_guard(guards: dict, lang: str, modules: list[str]) -> str:
    key = "import:" + lang + ":" + ",".join(modules)
    if lang == "python":
        texts = [f"import {m}\n...\n" for m in modules]
    else:
        texts = [f'import "{m}";\n...\n' for m in modules]
    guards.setdefault(key, texts)
    return key


def sinks(cat: dict, lang: str, guards: dict, k: dict, unexpressed: list, approximated: list | None = None) -> list:
    out: list = []
    approximated = [] if approximated is None else approximated
    for entry in cat["sink"]:
        alts: list[Alt] = []
        fallback: dict[str, list[str]] = {}
        for g in entry["calls"]:
            got = call_alts(g, lang, guards)
            if not got:
                unexpressed.append((lang, entry["api"], g))
                out.append(Comment(f"not expressible: {g}"))
            alts += got
            fb = fallback_root(g, lang)
            if fb:
                fallback.setdefault(fb[0], []).append(fb[1])
        for root, rests in fallback.items():
            key = import_guard(guards, lang, [root])
            for rest in dict.fromkeys(rests):
                for r in expand_starstar(rest):
                    segs = parse_chain(r)
                    if not segs:
                        continue
                    mv = Mv()
                    for e in chain_expr("$C", 0, with_sink_call(segs), mv, js=False):
                        alts.append(Alt(e, tuple(mv.regexes), key))
        kinds = f"{entry['kind']}, {entry['provider']}"
        data = entry.get("data", [])
        out.append(Comment(f"{entry['api']} ({kinds}): {len(entry['calls'])} call patterns"
                           + (f"; data: {', '.join(data)}" if data else "; every argument")
                           + (f"; identifiers: {', '.join(entry['identifiers'])}" if entry.get("identifiers") else "")))
        deep = [g for g in entry["calls"] if "**" in g]
        if deep:
            approximated.extend(deep)
            out.append(Comment("`**` matched up to three segments deep only: " + ", ".join(deep)))
        calls = guarded_either(dedupe(alts), guards, lang)
        forms = data_forms(entry, lang != "python")
        if forms is None:
            out.append(calls)
        else:
            out.append({"patterns": [calls, either(forms), {"focus-metavariable": "$D"}]})
    # flow.rs heuristic_sink: `.fit`/`.predict` on a model-named receiver in a file importing an ML module.
    mods = cat.get("ml_modules", [])
    if mods:
        key = import_guard(guards, lang, mods)
        words = sorted(set(k["model_words"]))
        out.append(Comment("A model-named receiver's .fit/.predict in a file that imports one of the "
                           f"catalogue's ml_modules ({len(mods)}) (heuristic_sink in src/analysis/flow.rs)"))
        methods = ["fit", "partial_fit", "fit_generator", "train_on_batch", "predict", "predict_proba"]
        out.append({"patterns": [
            either([{"pattern-inside": t} for t in guards[key]]),
            {"pattern": "$MODEL.$METHOD(...)"},
            {"metavariable-regex": {"metavariable": "$METHOD", "regex": "^(?:" + "|".join(methods) + ")$"}},
            {"metavariable-regex": {"metavariable": "$MODEL",
                                    "regex": r"(?is)" + PRELUDE + r"^.*?" + LB
                                    + words_regex(words, plural=False)}},
        ]})
    return out


def build(k: dict) -> tuple[str, dict]:
    vocab = vocabulary_regexes(k)
    rules = []
    unexpressed: list = []
    stats = {"vocabulary": vocab.stats}
    for lang, rid, langs in (("python", "personal-data-to-ai-python", ["python"]),
                             ("javascript", "personal-data-to-ai-javascript", ["javascript", "typescript"])):
        cat = k[lang]
        guards: dict = {}
        deep: list = []
        snk = sinks(cat, lang, guards, k, unexpressed, deep)
        san = sanitizers(cat, lang, guards)
        rules.append({
            "id": rid, "mode": "taint", "languages": langs, "severity": "WARNING",
            "message": "Personal data flows into an AI call",
            "options": {"taint_assume_safe_booleans": True, "taint_assume_safe_numbers": True,
                        "symbolic_propagation": True},
            "pattern-sources": sources(vocab, lang, k),
            "pattern-propagators": propagators(k, lang),
            "pattern-sanitizers": san,
            "pattern-sinks": snk,
        })
        stats[lang] = {"sink_entries": len(cat["sink"]),
                       "call_globs": sum(len(s["calls"]) for s in cat["sink"]),
                       "sink_patterns": count_patterns(snk), "deep_globs": len(deep),
                       "sanitizer_patterns": count_patterns(san)}
    stats["unexpressed"] = unexpressed
    body = emit({"rules": rules})
    return body, stats


def count_patterns(node) -> int:
    if isinstance(node, list):
        return sum(count_patterns(x) for x in node)
    if isinstance(node, dict):
        return sum((1 if key == "pattern" else 0) + count_patterns(v) for key, v in node.items())
    return 0


# ---------------------------------------------------------------------------
# A small YAML emitter (the standard library has none)
# ---------------------------------------------------------------------------


def scalar(v) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", s) and s not in {"true", "false", "null", "yes", "no", "on", "off"}:
        return s
    return "'" + s.replace("'", "''") + "'"


def emit(node, indent: int = 0) -> str:
    lines: list[str] = []
    _emit(node, indent, lines)
    return "\n".join(lines) + "\n"


def _emit(node, ind: int, lines: list[str]):
    pad = " " * ind
    if isinstance(node, dict):
        for key, v in node.items():
            if isinstance(v, (dict, list)) and v:
                if isinstance(v, list) and all(isinstance(x, str) and not isinstance(x, Comment)
                                               and "\n" not in x for x in v) and key == "languages":
                    lines.append(f"{pad}{key}: [{', '.join(scalar(x) for x in v)}]")
                    continue
                lines.append(f"{pad}{key}:")
                _emit(v, ind + 2, lines)
            elif isinstance(v, str) and "\n" in v:
                lines.append(f"{pad}{key}: |")
                for line in v.rstrip("\n").split("\n"):
                    lines.append(f"{pad}  {line}" if line else "")
            else:
                lines.append(f"{pad}{key}: {scalar(v)}")
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, Comment):
                for line in textwrap.wrap(item, width=max(40, 110 - ind), break_on_hyphens=False):
                    lines.append(f"{pad}# {line}")
            elif isinstance(item, dict):
                sub: list[str] = []
                _emit(item, ind + 2, sub)
                sub[0] = pad + "- " + sub[0][ind + 2:]
                lines.extend(sub)
            else:
                lines.append(f"{pad}- {scalar(item)}")
    else:
        lines.append(pad + scalar(node))


# ---------------------------------------------------------------------------


def header(stats: dict, sources_hash: str) -> str:
    v = stats["vocabulary"]
    py, js = stats["python"], stats["javascript"]
    un = stats["unexpressed"]
    lines = [
        "# GENERATED FILE: do not edit. Regenerate with",
        "#   python3 benches/semgrep/generate.py",
        "# from src/knowledge/vocabulary.toml, src/knowledge/sinks/{python,javascript}.toml,",
        "# ROLE_MAILBOXES (src/analysis/classify.rs) and MODEL_WORDS / MUTATORS / LOW_SIGNAL_PREFIX",
        f"# (src/analysis/flow.rs); knowledge + generator sha256 {sources_hash}.",
        "#",
        "# The job of privacy-taint.yaml (personal data flowing into AI calls, Python and JS/TS;",
        "# the same two taint rules and options) with privacy-lens's own knowledge:",
        f"# - sources: {v['patterns']:,} vocabulary patterns of {v['terms']} terms ({v['patterns_after_containment']:,} "
        "once patterns that contain a broader",
        f"#   one are dropped) in {v['groups']} groups of the same strength and exclude_with, packed into "
        f"{len(v['name_regexes'])} regexes",
        f"#   (+{len(v['context_regexes'])} for person-object context); {v['exclude_tokens']} exclude_tokens, "
        f"{v['exclude_names']} exclude_names, {v['person_objects']} person_objects,",
        f"#   {v['literals']} literal regexes. Names are matched as classify.rs tokenises them (snake_case,",
        "#   camelCase, kebab-case, SCREAMING_CASE, letter/digit boundaries, plurals) where flow.rs",
        "#   tests them: attribute reads, string keys, parameters, variables bound to a non-constant",
        "#   value, keyword arguments; contextual terms need a person word in the name or in the",
        f"#   object read from. Terms of {stats['low_signal']} ({v['low_signal_patterns_left_out']} patterns) "
        "are left out:",
        "#   privacy-lens never reports a flow of identifiers alone.",
        f"# - sinks: Python {py['sink_entries']} catalogue entries, {py['call_globs']} call globs -> "
        f"{py['sink_patterns']:,} patterns; JS/TS {js['sink_entries']} entries,",
        f"#   {js['call_globs']} globs -> {js['sink_patterns']:,} patterns. Each entry is limited to its data "
        "and identifiers",
        f"#   arguments; `**` ({py['deep_globs']} Python, {js['deep_globs']} JS/TS globs) is expanded to chains of up to three",
        "#   segments (each entry lists its globs that have one); JS/TS module specifiers",
        "#   are matched in the import/require statement that binds $B; plus the resolver's fallback",
        "#   (a call on an unresolved client in a file that imports the module) and the",
        "#   .fit/.predict heuristic (a model-named receiver in a file importing an ML module).",
        f"# - sanitizers: Python {py['sanitizer_patterns']} patterns, JS/TS {js['sanitizer_patterns']} "
        "(catalogue sanitizers and opaque_calls);",
        "#   propagators: flow.rs's mutating methods (`texts.append(note)`).",
        "# - Options as privacy-taint.yaml, plus `symbolic_propagation` so that",
        "#   `client = OpenAI(); client.chat.completions.create(...)` matches",
        "#   `openai.OpenAI(...).chat.completions.create(...)`, as privacy-lens resolves it.",
        "#",
        "# Not expressed (privacy-lens does these; see benches/README.md):",
        "# - categories: a sanitizer that removes only some categories (hashing keeps health data)",
        "#   removes all taint here; the category a name gets (longest pattern wins) is not",
        "#   computed, so a name whose longest match is an identifier-only term still counts;",
        "# - person context from data flow (an object that already gave a personal field, an",
        "#   instance of a person-named class, declared parameter types), the compound of a plain",
        "#   object name and key (`message.transcript`); odd mixed casings (`eMaIl`, `IPv4`) and",
        "#   non-ASCII names are tokenised approximately;",
        "# - data-file names and `usecols=`/`names=` columns of a loader call, column lists held",
        "#   in a variable (`df[FEATURES]`), dropped columns;",
        "# - `**` spanning more than three segments; LCEL `prompt | llm`; values behind `await` or",
        "#   several assignments; instance fields set in another method (`self.client = OpenAI()`)",
        "#   resolve only through the fallback; `@data-use`/`@ai-sink`/`@sanitizer` tags;",
        "# - flows through calls of the file's own functions and callbacks, and across files",
        "#   (Semgrep OSS taint is intraprocedural).",
    ]
    if un:
        lines.append("# Catalogue globs with no Semgrep pattern at all:")
        lines += [f"#   {lang}: {api}: {g}" for lang, api, g in un]
    else:
        lines.append("# Every catalogue glob has at least one Semgrep pattern.")
    lines += ["#", "# Run (as benches/run.py does):",
              "#   semgrep scan --metrics=off --disable-version-check "
              "--config benches/semgrep/privacy-taint-full.yaml DIR", ""]
    return "\n".join(lines)


def inputs_hash(k: dict) -> str:
    """The knowledge read (not the whole Rust files) and this generator."""
    h = hashlib.sha256(json.dumps(k, sort_keys=True).encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="exit 1 if --out differs from what would be generated")
    ap.add_argument("--stats", action="store_true", help="print what was generated")
    a = ap.parse_args(argv)
    k = load()
    body, stats = build(k)
    stats["low_signal"] = k["low_signal"]
    text = header(stats, inputs_hash(k)) + body
    if a.stats:
        for key, v in stats.items():
            if key != "unexpressed":
                print(f"{key}: {v}")
        print(f"unexpressed globs: {len(stats['unexpressed'])}; output {len(text):,} bytes")
    if a.check:
        cur = a.out.read_text() if a.out.exists() else ""
        if cur != text:
            print(f"{a.out} is stale: run python3 benches/semgrep/generate.py", file=sys.stderr)
            return 1
        return 0
    a.out.write_text(text)
    print(f"wrote {a.out.relative_to(REPO) if a.out.is_relative_to(REPO) else a.out} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
