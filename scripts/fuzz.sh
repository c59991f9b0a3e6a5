#!/usr/bin/env bash
# Runs every cargo-fuzz target (or those named) for a fixed time each and
# saves what libFuzzer finds (crashes, timeouts, out-of-memory inputs) as
# regression fixtures in tests/fuzz_regressions/<target>/, which
# `cargo test --test fuzz_regressions` replays (in CI too).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     # default: 60 s, all targets
#
# Targets (fuzz/fuzz_targets/): analyze_python, analyze_javascript,
# analyze_typescript, analyze_tsx (arbitrary bytes analysed as that
# language), tag_parser (data-use tag comments), config (privacy-lens.toml,
# pyproject.toml and JSON settings), lsp_edits (sequences of incremental
# edits in every position encoding, checked against a plain string, then
# incremental reparse and re-analysis checked against a fresh one).
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly compiler, or,
# on stable, RUSTC_BOOTSTRAP=1 (set here). Runs under `nice`. Corpora live
# in fuzz/corpus/ (not committed), seeded from tests/fixtures.
# Prints one line per target: time, executions, findings.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
export RUSTC_BOOTSTRAP=1

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
  exit 2
fi

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

echo "== building fuzz targets" >&2
(cd fuzz && nice cargo fuzz build -O)
triple=$(rustc -vV | sed -n 's/^host: //p')
bin_dir=fuzz/target/$triple/release

seed() {
  local target=$1 corpus=fuzz/corpus/$1
  mkdir -p "$corpus"
  case $target in
    analyze_python) find tests/fixtures/python examples -name '*.py' -exec cp -t "$corpus" {} + 2>/dev/null || true ;;
    analyze_javascript) find tests/fixtures/javascript -name '*.*js*' -exec cp -t "$corpus" {} + ;;
    analyze_typescript) find tests/fixtures/typescript -name '*.ts' -exec cp -t "$corpus" {} + ;;
    analyze_tsx) find tests/fixtures/typescript -name '*.tsx' -exec cp -t "$corpus" {} + ;;
    tag_parser) grep -rhoE '(#|//) *@[a-z-]+.*' tests/fixtures | head -n 200 | split -l 1 - "$corpus/tag-" ;;
    config) for f in tests/fixtures/*/privacy-lens.toml examples/*/privacy-lens.toml; do [[ -f $f ]] && cp "$f" "$corpus/$(echo "$f" | tr / _)"; done; printf '[rules]\ndisable = ["PL102"]\n[[sinks]]\ncall = "acme.**.predict"\nkind = "llm_inference"\n' > "$corpus/seed.toml" ;;
  esac
  if [[ -d tests/fuzz_regressions/$target ]]; then
    cp tests/fuzz_regressions/"$target"/* "$corpus"/ 2>/dev/null || true
  fi
}

summary=()
found=0
for target in "${targets[@]}"; do
  seed "$target"
  log=$(mktemp)
  echo "== fuzzing $target for ${seconds}s" >&2
  status=0
  # The binaries built above, run directly: editing the sources while a
  # long run goes on does not rebuild them mid-way.
  mkdir -p "fuzz/artifacts/$target"
  nice "$bin_dir/$target" "fuzz/corpus/$target" \
      -artifact_prefix="fuzz/artifacts/$target/" \
      -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=65536 \
      -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n1)
  [[ -n $runs ]] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -n1 | tr -d '#')
  artifacts=0
  if compgen -G "fuzz/artifacts/$target/*" >/dev/null; then
    mkdir -p "tests/fuzz_regressions/$target"
    for a in fuzz/artifacts/"$target"/*; do
      cp "$a" "tests/fuzz_regressions/$target/"
      artifacts=$((artifacts + 1))
    done
    rm -f fuzz/artifacts/"$target"/*
  fi
  if [[ $status -ne 0 || $artifacts -gt 0 ]]; then
    found=1
    tail -n 40 "$log" >&2
  fi
  summary+=("$(printf '%-20s %6ss %12s execs  %s new fixture(s)  exit %s' "$target" "$seconds" "${runs:-?}" "$artifacts" "$status")")
  rm -f "$log"
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [[ $found -ne 0 ]]; then
  echo "findings saved in tests/fuzz_regressions/: fix them, then cargo test --test fuzz_regressions" >&2
  exit 1
fi
