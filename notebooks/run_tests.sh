#!/usr/bin/env bash
# Test of the Jupyter notebooks: run every notebook headlessly on fresh data and check that it
# ran without a cell error and wrote its figures.
#
# Usage (from any folder):  notebooks/run_tests.sh
#
# Steps:
#   1. Python environment: notebooks/.venv, created with $PYTHON (default python3.11, else
#      python3; Python >= 3.11 is needed) and filled from notebooks/requirements.txt. It is
#      reused while requirements.txt and the Python version are unchanged (their hash is kept
#      in notebooks/.venv/.requirements.sha256); otherwise it is rebuilt. Needs PyPI access
#      the first time.
#   2. `cargo build --release` in the repository root (the parent of notebooks/), unless
#      SYNERGY_BIN names a synergy binary to use instead.
#   3. Data into a temporary OUT folder:
#        synergy run --out $OUT --quiet                                         (OUT/default)
#        synergy sweep configs/experiments/regimes.toml --out $OUT --quiet      (OUT/regimes)
#        synergy sweep configs/experiments/sensitivity.toml --out $OUT --quiet  (OUT/sensitivity)
#        synergy run configs/scenarios/capacity_{full,east,east_auction,no_national}.toml
#                                                                (OUT/capacity_*, notebook 07)
#        synergy compare configs/regimes --match ... --out $OUT/match             (OUT/match)
#        synergy sweep $OUT/match/matched.toml --out $OUT                          (OUT/matched)
#   4. Each notebooks/*.ipynb is executed with notebooks/execute.py (nbclient; OUT and FIGURES
#      injected after the `parameters` cell, like papermill), and each must write the PNG
#      files listed in EXPECTED below (non-empty) into its own figures folder.
#
# Prints `notebooks: N passed, M failed` last; exit status 0 only if every notebook passed
# (and 1 if a setup step failed before any notebook ran).
#
# Environment:
#   PYTHON=/path/to/python3.11   interpreter for the venv
#   SYNERGY_BIN=/path/to/synergy use this binary and skip `cargo build --release`
#                                (e.g. target/debug/synergy that `cargo test` just built)
#   KEEP_OUTPUT=1                keep the temporary folder (data, figures, executed notebooks)
#   CARGO_TARGET_DIR             honoured when locating target/release/synergy
set -euo pipefail

NB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$NB_DIR")"
VENV="$NB_DIR/.venv"
START=$SECONDS

# Figures each notebook must write (file names without .png).
declare -A EXPECTED=(
  [01_quickstart]="price_paths emissions_covered_uncovered national_allocation_vs_emissions technology_adoption_nation"
  [02_regimes]="regimes_emissions_paths regimes_summary_metrics regimes_paired_differences"
  [03_sensitivity]="sobol_indices sensitivity_scatter"
  [04_regional_equity]="burden_by_province province_map burden_by_agglomeration inequality_over_time inequality_regimes net_flows_heatmap net_flows_matrix diffusion_by_agglomeration"
  [05_equal_ambition]="cost_abatement_curves cost_at_equal_emissions burden_by_province_matched"
  [06_power_system]="generation_mix grid_factor_paths flow_matrix curtailment_price electrification_indirect"
  [07_capacity_relocation]="new_capacity_by_region leakage_by_sector capacity_by_region"
)

step() { echo "== $* ($((SECONDS - START)) s)"; }
setup_failed() { echo "notebooks: 0 passed, ${#EXPECTED[@]} failed (setup: $1)"; exit 1; }

# 1. Python environment ---------------------------------------------------------------
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
[[ -n "$PYTHON" ]] || setup_failed "no python3 found; set PYTHON"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || setup_failed "$PYTHON is older than Python 3.11"
want_hash="$( { cat "$NB_DIR/requirements.txt"; "$PYTHON" --version; } | sha256sum | cut -d' ' -f1)"
have_hash="$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)"
if [[ "$want_hash" != "$have_hash" ]]; then
  step "creating $VENV with $("$PYTHON" --version)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || setup_failed "python -m venv"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$NB_DIR/requirements.txt" \
    || setup_failed "pip install -r notebooks/requirements.txt"
  echo "$want_hash" > "$VENV/.requirements.sha256"
else
  step "reusing $VENV (requirements unchanged)"
fi

# 2. Build ------------------------------------------------------------------------------
if [[ -n "${SYNERGY_BIN:-}" ]]; then
  [[ -f "$SYNERGY_BIN" && -x "$SYNERGY_BIN" ]] || setup_failed "SYNERGY_BIN=$SYNERGY_BIN is not an executable file"
  SYNERGY="$(cd "$(dirname "$SYNERGY_BIN")" && pwd)/$(basename "$SYNERGY_BIN")"
  step "using SYNERGY_BIN=$SYNERGY (no cargo build)"
else
  step "cargo build --release"
  (cd "$ROOT" && cargo build --release) || setup_failed "cargo build --release"
  SYNERGY="${CARGO_TARGET_DIR:-$ROOT/target}/release/synergy"
  [[ "$SYNERGY" = /* ]] || SYNERGY="$ROOT/$SYNERGY"
fi

# 3. Data ---------------------------------------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/synergy-notebooks.XXXXXX")"
if [[ "${KEEP_OUTPUT:-0}" == 1 ]]; then
  echo "keeping $TMP"
else
  trap 'rm -rf "$TMP"' EXIT
fi
OUT="$TMP/out"
step "synergy run + sweeps into $OUT"
# (&&-chained: errexit does not apply inside a command list followed by ||)
(
  cd "$ROOT" &&
    "$SYNERGY" run --out "$OUT" --quiet &&
    "$SYNERGY" sweep configs/experiments/regimes.toml --out "$OUT" --quiet &&
    "$SYNERGY" sweep configs/experiments/sensitivity.toml --out "$OUT" --quiet &&
    for s in capacity_full capacity_east capacity_east_auction capacity_no_national; do
      "$SYNERGY" run "configs/scenarios/$s.toml" --out "$OUT" --quiet || exit 1
    done
) || setup_failed "synergy run/sweep"
# Every table of a run and of a sweep reads with plain pandas.read_parquet (no column
# duplicates the Hive partition key).
step "pandas.read_parquet on every table"
"$VENV/bin/python" - "$OUT/default" "$OUT/regimes" <<'PY' || setup_failed "pandas.read_parquet"
import sys
from pathlib import Path
import pandas as pd
for ds in map(Path, sys.argv[1:]):
    tables = sorted(
        p for p in ds.iterdir()
        if p.is_dir() and p.name != "slurm" and not p.name.startswith(".")
    )
    assert len(tables) >= 19, (ds, tables)
    for t in tables:
        df = pd.read_parquet(t)
        assert "scenario" in df.columns, (t, list(df.columns))
    print(f"{ds.name}: {len(tables)} tables read")
PY
# The equal-ambition comparison (notebook 05), kept small: 2 replicates, 3 targets, 1 % tolerance.
step "synergy compare --match into $OUT/match"
(
  cd "$ROOT" &&
    "$SYNERGY" compare configs/regimes --match cumulative_emissions:2026-2060 \
      --budget 240e9 255e9 270e9 --replicates 2 --tolerance 0.01 --out "$OUT/match" --quiet >/dev/null &&
    "$SYNERGY" sweep "$OUT/match/matched.toml" --out "$OUT" --quiet &&
    "$SYNERGY" compare "$OUT/matched" --reference tax --format csv > "$OUT/compare_matched.csv"
) || setup_failed "synergy compare --match"

# 4. Notebooks ----------------------------------------------------------------------------
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in notebooks/
passed=0
failed=0
failures=()
for nb in "$NB_DIR"/*.ipynb; do
  name="$(basename "$nb" .ipynb)"
  figures="$TMP/figures/$name"
  step "$name"
  ok=1
  if [[ -z "${EXPECTED[$name]+set}" ]]; then
    echo "$name: no expected figures listed in EXPECTED (notebooks/run_tests.sh)"
    ok=0
  elif ! "$VENV/bin/python" "$NB_DIR/execute.py" "$nb" --out "$OUT" --figures "$figures" \
         --save-executed "$TMP/executed/$name.ipynb"; then
    ok=0
  else
    for fig in ${EXPECTED[$name]}; do
      if [[ ! -s "$figures/$fig.png" ]]; then
        echo "$name: missing or empty figure $fig.png"
        ok=0
      fi
    done
  fi
  if ((ok)); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
done

step "done"
((failed == 0)) || echo "failed: ${failures[*]}"
echo "notebooks: $passed passed, $failed failed"
((failed == 0))
