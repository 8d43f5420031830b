"""Small helpers shared by the synergy notebooks.

* ``load(dataset_dir, table)``: one table of a synergy dataset as a polars LazyFrame.
* ``with_runs(lf, dataset_dir)``: add run metadata (scenario, replicate, ...) by ``run_id``.
* ``ci95(df, by, value)``: mean and 95 % confidence interval of the mean over replicates.
* ``technology_sectors(dataset_dir)``: technology name -> sector, from ``experiment.json``.
* ``save(fig, name, folder)``: write a figure as ``<folder>/<name>.png``.

A dataset is the folder ``<out>/<experiment>/`` written by ``synergy run`` or ``synergy sweep``;
its layout and every column are described in docs/OUTPUT.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import polars as pl
from scipy import stats


def load(dataset_dir: str | Path, table: str) -> pl.LazyFrame:
    """Scan ``<dataset_dir>/<table>/scenario=<s>/part-<k>.parquet`` lazily.

    The Hive partition adds a ``scenario`` column (``runs`` and ``summary`` carry their own,
    with the same values; polars merges them). Dictionary-encoded names (market, sector,
    province, agglomeration, technology, ...) arrive as Categorical; they are cast to String
    so that filters, joins and plots behave the same on every table.
    """
    folder = Path(dataset_dir) / table
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} not found: produce the dataset first (see notebooks/README.md, "
            "`synergy run` / `synergy sweep`)"
        )
    lf = pl.scan_parquet(folder / "**" / "*.parquet", hive_partitioning=True)
    categorical = [n for n, t in lf.collect_schema().items() if t == pl.Categorical]
    return lf.with_columns(pl.col(categorical).cast(pl.String)) if categorical else lf


def with_runs(
    lf: pl.LazyFrame,
    dataset_dir: str | Path,
    columns: tuple[str, ...] = ("scenario", "replicate", "seed", "parameters"),
) -> pl.LazyFrame:
    """Join run metadata from the ``runs`` table on ``run_id``.

    Only columns that ``lf`` lacks are added. The join is inner: rows of runs whose ``runs``
    file is not written yet (an unfinished sweep) are dropped, as docs/OUTPUT.md recommends.
    """
    have = set(lf.collect_schema().names())
    extra = [c for c in columns if c not in have]
    runs = load(dataset_dir, "runs").select("run_id", *extra)
    return lf.join(runs, on="run_id", how="inner")


def ci95(df: pl.DataFrame | pl.LazyFrame, by: str | list[str], value: str) -> pl.DataFrame:
    """Mean, standard deviation, n and 95 % confidence interval of the mean of ``value``
    per group ``by`` (Student t with n - 1 degrees of freedom, as ``synergy compare``).
    With n = 1 the interval is undefined (null)."""
    by = [by] if isinstance(by, str) else list(by)
    out = (
        df.lazy()
        .group_by(by)
        .agg(
            pl.col(value).mean().alias("mean"),
            pl.col(value).std().alias("sd"),
            pl.col(value).count().alias("n"),
        )
        .sort(by)
        .collect()
    )
    t = [float(stats.t.ppf(0.975, n - 1)) if n > 1 else None for n in out["n"]]
    half = pl.Series("t", t, dtype=pl.Float64) * out["sd"] / out["n"].cast(pl.Float64).sqrt()
    return out.with_columns(lo=out["mean"] - half, hi=out["mean"] + half)


def technology_sectors(dataset_dir: str | Path) -> dict[str, str]:
    """Technology name -> sector from the resolved scenario in ``experiment.json``
    (written by ``synergy run``); empty when the file does not hold one (sweeps)."""
    path = Path(dataset_dir) / "experiment.json"
    if not path.is_file():
        return {}
    scenario = json.loads(path.read_text()).get("scenario") or {}
    return {t["name"]: t["sector"] for t in scenario.get("technologies", [])}


def save(fig: plt.Figure, name: str, folder: str | Path | None = None) -> Path:
    """Write ``fig`` to ``<folder>/<name>.png`` (150 dpi) and return the path.

    ``folder`` defaults to the environment variable ``SYNERGY_FIGURES``, else ``figures``
    (relative to the working directory, which is notebooks/ when a notebook runs).
    """
    folder = Path(folder if folder is not None else os.environ.get("SYNERGY_FIGURES", "figures"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    return path


def style() -> None:
    """A plain, readable matplotlib style shared by the notebooks."""
    plt.rcParams.update(
        {
            "figure.figsize": (9, 5),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
        }
    )
