"""Execute a notebook headlessly with nbclient, with parameters injected like papermill does.

    python notebooks/execute.py NOTEBOOK.ipynb [--out DIR] [--figures DIR]
                                [-p NAME=VALUE]... [--save-executed PATH] [--timeout S]

* The notebook must have a code cell tagged ``parameters``. A new cell tagged
  ``injected-parameters`` is inserted after it, setting ``OUT`` and ``FIGURES`` (given
  relative to the current directory, passed as absolute paths) and every ``-p NAME=VALUE``
  (passed as a Python string, verbatim: relative paths are relative to notebooks/, the
  working directory of the kernel).
* The notebook runs in its own folder (so ``import synergy_io`` works) on a kernel of the
  Python that runs this script (a temporary kernel spec, so that no other installed
  ``python3`` kernel is picked up).
* The notebook file is never modified; ``--save-executed`` writes the executed copy elsewhere.
* Exit status 0 when every cell ran, 1 on the first cell error (its traceback is printed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

KERNEL = "synergy-notebooks"


def inject(nb: nbformat.NotebookNode, params: dict[str, str]) -> None:
    """Insert an ``injected-parameters`` cell after the cell tagged ``parameters``."""
    index = next(
        (i for i, c in enumerate(nb.cells)
         if c.cell_type == "code" and "parameters" in c.get("metadata", {}).get("tags", [])),
        None,
    )
    if index is None:
        raise SystemExit("no code cell tagged 'parameters' in the notebook")
    source = "# Parameters injected by notebooks/execute.py\n" + "".join(
        f"{name} = {value!r}\n" for name, value in params.items()
    )
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(index + 1, cell)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebook", type=Path)
    ap.add_argument("--out", help="OUT: folder holding the datasets (relative to the current directory)")
    ap.add_argument("--figures", help="FIGURES: folder the PNGs go to (relative to the current directory)")
    ap.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                    help="set a string parameter (repeatable)")
    ap.add_argument("--save-executed", type=Path, help="write the executed notebook here")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = ap.parse_args(argv)

    params: dict[str, str] = {}
    if args.out is not None:
        params["OUT"] = str(Path(args.out).resolve())
    if args.figures is not None:
        params["FIGURES"] = str(Path(args.figures).resolve())
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name.isidentifier():
            ap.error(f"-p expects NAME=VALUE, got {item!r}")
        params[name] = value

    path = args.notebook.resolve()
    nb = nbformat.read(path, as_version=4)
    if params:
        inject(nb, params)
    # A kernel spec for this very Python, found first through JUPYTER_PATH.
    specs = Path(tempfile.mkdtemp(prefix="synergy-kernel-"))
    # (Kernel log level ERROR: ipykernel 7 warns on every start that localhost TCP is unencrypted.)
    write_kernel_spec(specs / "kernels" / KERNEL, extra_arguments=["--IPKernelApp.log_level=ERROR"])
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(specs), os.environ.get("JUPYTER_PATH")]))
    client = NotebookClient(nb, timeout=args.timeout, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.monotonic()
    status = 0
    try:
        client.execute()
    except CellExecutionError as err:
        print(f"{path.name}: cell error\n{err}", file=sys.stderr)
        status = 1
    finally:
        shutil.rmtree(specs, ignore_errors=True)
        if args.save_executed is not None:
            args.save_executed.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, args.save_executed)
    print(f"{path.name}: {'ok' if status == 0 else 'FAILED'} in {time.monotonic() - start:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
