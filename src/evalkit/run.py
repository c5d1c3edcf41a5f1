"""Run the measure notebooks of each operating model with papermill.

One job = one (model × measure) notebook. Jobs run in parallel (``jobs``, default = cores),
each in its own kernel; a failing job does not stop the others. A job whose inputs —
notebook, params as used, the content of every input file, evalkit's own code — are
unchanged since its last successful run is skipped (``force=True`` reruns).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import EvalkitError
from .params import Params, load_params, params_json
from .paths import project_root

__all__ = ["NOTEBOOKS", "Job", "JobResult", "RunSummary", "plan_jobs", "run_models"]

#: notebook of each measure (under ``notebooks/``)
NOTEBOOKS: dict[str, str] = {
    "visits": "visits.ipynb",
    "employment": "employment.ipynb",
    "symptoms": "symptoms.ipynb",
    "costs": "cost_effectiveness.ipynb",
    "reach": "reach.ipynb",
    "waiting": "waiting_times.ipynb",
}

#: errors raised while a kernel starts that are worth a retry (port races, slow start)
_RETRYABLE = ("Address already in use", "Kernel didn't respond", "Kernel died before replying",
              "ZMQError", "TimeoutError", "kernel_info")
_ATTEMPTS = 3


@dataclass
class Job:
    model: str
    measure: str
    notebook: Path
    params_file: Path
    params: Params
    data_root: Path
    model_dir: Path
    key: str = ""

    @property
    def output(self) -> Path:
        return self.model_dir / "notebooks" / self.notebook.name

    @property
    def cache_file(self) -> Path:
        return self.model_dir / ".cache" / f"{self.measure}.json"

    @property
    def section_file(self) -> Path:
        return self.model_dir / "sections" / f"{self.measure}.json"


@dataclass
class JobResult:
    job: Job
    status: str  # ok | cached | failed
    seconds: float = 0.0
    error: str | None = None


@dataclass
class RunSummary:
    results: list[JobResult] = field(default_factory=list)
    validation_errors: dict[str, str] = field(default_factory=dict)
    #: (model, measure) pairs asked for whose notebook does not exist (yet): skipped, not failed
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        if self.validation_errors:
            return 2
        return 1 if self.failed else 0


# ---------------------------------------------------------------- fingerprints
def _sha256_file(path: Path, cache: dict[str, Any]) -> str:
    st = path.stat()
    key = str(path.resolve())
    hit = cache.get(key)
    if hit and hit["size"] == st.st_size and hit["mtime_ns"] == st.st_mtime_ns:
        return hit["sha256"]
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    cache[key] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}
    return digest


def code_fingerprint() -> str:
    """Hash of evalkit's own source (so a code change invalidates cached runs)."""
    pkg = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for p in sorted(pkg.rglob("*")):
        if p.suffix in {".py", ".yaml", ".j2"} and "__pycache__" not in p.parts:
            h.update(p.relative_to(pkg).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def input_files(params: Params, data_root: Path) -> list[tuple[str, Path]]:
    """(table, file) pairs of every input file a model's params name."""
    from .data.loaders import resolve_table_files

    out = []
    for table, source in params.tables.items():
        for f in resolve_table_files(source, data_root):
            out.append((table, f))
    return out


def git_commit(root: Path | None) -> str | None:
    if root is None:
        return None
    try:
        res = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=False)
        if res.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=False)
        return res.stdout.strip() + ("+muutoksia" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


# ---------------------------------------------------------------- planning
def plan_jobs(
    params_files: Sequence[Path],
    *,
    data_root: Path,
    reports_dir: Path,
    notebooks_dir: Path,
    skipped: list[tuple[str, str]] | None = None,
) -> list[Job]:
    """Validate every params file (raising ParamsError) and list the jobs they ask for.

    A measure whose notebook is missing from ``notebooks_dir`` is left out and, when
    ``skipped`` is given, appended to it as ``(model, measure)``.
    """
    from .errors import ParamsError

    problems: list[str] = []
    jobs: list[Job] = []
    for pf in params_files:
        try:
            params = load_params(pf)
        except ParamsError as exc:
            problems.extend(exc.problems)
            continue
        for measure in params.measures:
            if not (notebooks_dir / NOTEBOOKS[measure]).is_file():
                if skipped is not None:
                    skipped.append((params.model, measure))
                continue
            jobs.append(Job(model=params.model, measure=measure, notebook=notebooks_dir / NOTEBOOKS[measure],
                            params_file=pf.resolve(), params=params, data_root=data_root.resolve(),
                            model_dir=(reports_dir / params.model).resolve()))
    if problems:
        raise ParamsError(problems)
    return jobs


def _job_key(job: Job, file_hashes: list[tuple[str, str, str]], code: str) -> str:
    h = hashlib.sha256()
    h.update(job.notebook.read_bytes())
    h.update(params_json(job.params).encode())
    h.update(json.dumps(file_hashes).encode())
    h.update(code.encode())
    h.update(str(job.data_root).encode())
    return h.hexdigest()


def _is_cached(job: Job) -> bool:
    if not (job.cache_file.exists() and job.section_file.exists() and job.output.exists()):
        return False
    try:
        return json.loads(job.cache_file.read_text())["key"] == job.key
    except (OSError, ValueError, KeyError):
        return False


# ---------------------------------------------------------------- execution
def _kernel_name() -> str:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
    except Exception:  # pragma: no cover - jupyter_client missing or broken
        return "python3"
    return "evalkit" if "evalkit" in specs else "python3"


def _ipc_kernel_manager():
    """Kernel manager using IPC (Unix sockets) instead of TCP ports: no port races between
    parallel kernels, and nothing readable from the network.

    Each kernel gets its sockets in a private temporary directory: jupyter_client's default
    IPC path (``kernel-ipc-<n>`` in the working directory) is shared by kernels started at the
    same time from one process, and parallel jobs then collided on it.
    """
    import shutil
    import tempfile

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _private_ipc_path(self) -> str:
            self._ipc_dir = tempfile.mkdtemp(prefix="evalkit-kernel-")
            return os.path.join(self._ipc_dir, "k")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
            # the kernel process's own stdout/stderr carry only infrastructure chatter (e.g.
            # "KeyboardInterrupt caught in kernel" at shutdown) that would garble the progress
            # bar; what the notebook's cells print is captured in the executed notebook
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            ipc_dir = getattr(self, "_ipc_dir", None)
            if ipc_dir and not restart:
                shutil.rmtree(ipc_dir, ignore_errors=True)

    return IPCKernelManager


def _execute(job: Job, kernel: str) -> JobResult:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    job.output.parent.mkdir(parents=True, exist_ok=True)
    params = {
        "model": job.model,
        "params_file": str(job.params_file),
        "data_root": str(job.data_root),
        "out_dir": str(job.model_dir),
    }
    extra = {"kernel_manager_class": _ipc_kernel_manager()} if os.name == "posix" else {}
    start = time.perf_counter()
    last_error = ""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            pm.execute_notebook(
                str(job.notebook), str(job.output), parameters=params, kernel_name=kernel,
                progress_bar=False, cwd=str(job.notebook.parent), log_output=False,
                request_save_on_cell_execute=False, execution_timeout=3600, **extra,
            )
            return JobResult(job, "ok", time.perf_counter() - start)
        except PapermillExecutionError as exc:
            return JobResult(job, "failed", time.perf_counter() - start, _public_error(exc.ename, exc.evalue))
        except Exception as exc:  # kernel start-up and other infrastructure errors
            last_error = f"{type(exc).__name__}: {exc}"
            if attempt < _ATTEMPTS and any(tok in last_error for tok in _RETRYABLE):
                time.sleep(0.5 * attempt)
                continue
            return JobResult(job, "failed", time.perf_counter() - start, last_error.splitlines()[0][:300])
    return JobResult(job, "failed", time.perf_counter() - start, last_error[:300])  # pragma: no cover


def _public_error(ename: str, evalue: str) -> str:
    """Error text safe for a published report (no data values)."""
    if ename in {"DataError", "PrivacyError"}:
        return ("Syöttöaineisto ei läpäissyt tarkistusta (DataError). "
                "Aja `evalkit validate` nähdäksesi ongelmat.")
    first = (evalue or "").strip().splitlines()[0] if evalue else ""
    return f"{ename}: {first}"[:300]


def _write_failed_section(job: Job, error: str) -> None:
    from .report.i18n import label
    from .report.section import Section

    Section(model=job.model, measure=job.measure, title=label(f"measures.{job.measure}", job.params.language),
            question=job.params.questions.get(job.measure), status="failed", error=error).save(job.model_dir)  # type: ignore[call-overload]


def _finish_model(params: Params, model_dir: Path, pfile: Path, inputs: list[dict[str, str]],
                  started: datetime, seconds: float, order: int, data_root: Path | None = None) -> None:
    """Write ``run.json`` (provenance) and the model's ``results.csv`` from its sections."""
    from .report.section import load_section
    from .report.suppress import suppress_estimates
    from .results import estimates_frame, write_results

    frames = []
    for measure in params.measures:
        sf = model_dir / "sections" / f"{measure}.json"
        if sf.exists():
            sec = load_section(sf)
            rows = suppress_estimates(sec.estimates, params.min_cell)
            frames.append(estimates_frame(rows, model=params.model, measure=measure))
    if frames:
        import pandas as pd

        frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else frames[0]
        # a row's measure is its own (employment notebooks also write fidelity rows)
        from .results import measure_of

        frame["measure"] = [measure_of(i, m) for i, m in zip(frame["indicator"], frame["measure"], strict=True)]
        write_results(frame, model_dir / "results.csv")
    meta = {
        "model": params.model,
        "name": params.name,
        "description": params.description,
        "order": order,
        "language": params.language,
        "audience": params.audience,
        "min_cell": params.min_cell,
        "seed": params.seed,
        "measures": list(params.measures),
        "params_file": str(pfile),
        "params": params.model_dump(mode="json"),
        "inputs": inputs,
        "data_root": str(data_root) if data_root is not None else None,  # the privacy audit reads ids from here
        "evalkit_version": __version__,
        "git_commit": git_commit(project_root()),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().isoformat(timespec="seconds"),
        "duration_s": round(seconds, 1),
    }
    (model_dir / "run.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def run_models(
    params_files: Sequence[Path],
    *,
    data_root: Path,
    reports_dir: Path,
    notebooks_dir: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    echo: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> RunSummary:
    """Plan, validate data, execute (or reuse) every job, and write per-model outputs."""
    from tqdm import tqdm

    from .data import load_tables

    root = project_root()
    notebooks_dir = notebooks_dir or ((root / "notebooks") if root else Path("notebooks"))
    summary = RunSummary()
    all_jobs = plan_jobs(params_files, data_root=data_root, reports_dir=reports_dir, notebooks_dir=notebooks_dir,
                         skipped=summary.skipped)
    if summary.skipped:
        echo(f"evalkit: {len(summary.skipped)} measure(s) skipped, notebook not available: "
             + ", ".join(f"{m}/{x}" for m, x in summary.skipped))
    started = datetime.now()
    t0 = time.perf_counter()
    code = code_fingerprint()
    hash_cache_file = reports_dir / ".cache" / "file-hashes.json"
    try:
        hash_cache = json.loads(hash_cache_file.read_text())
    except (OSError, ValueError):
        hash_cache = {}

    by_model: dict[str, list[Job]] = {}
    for j in all_jobs:
        by_model.setdefault(j.model, []).append(j)
    model_inputs: dict[str, list[dict[str, str]]] = {}
    to_run: list[Job] = []
    for model, mjobs in by_model.items():
        params = mjobs[0].params
        try:
            files = input_files(params, data_root)
        except EvalkitError as exc:
            summary.validation_errors[model] = str(exc)
            echo(f"{model}: {exc}")
            continue
        hashes = [(t, str(f.resolve().relative_to(data_root.resolve()) if f.resolve().is_relative_to(data_root.resolve()) else f), _sha256_file(f, hash_cache)) for t, f in files]
        model_inputs[model] = [{"table": t, "file": f, "sha256": h} for t, f, h in hashes]
        pending = []
        for j in mjobs:
            j.key = _job_key(j, hashes, code)
            if not force and _is_cached(j):
                summary.results.append(JobResult(j, "cached"))
            else:
                pending.append(j)
        if pending:
            try:
                load_tables(params, data_root)  # validate once, before any kernel starts
            except EvalkitError as exc:
                summary.validation_errors[model] = str(exc)
                echo(f"{model}: input data did not pass validation:\n{exc}")
                for j in pending:
                    _write_failed_section(j, "Syöttöaineisto ei läpäissyt tarkistusta; aja `evalkit validate`.")
                    summary.results.append(JobResult(j, "failed", error="invalid input data"))
                continue
            to_run.extend(pending)
    hash_cache_file.parent.mkdir(parents=True, exist_ok=True)
    hash_cache_file.write_text(json.dumps(hash_cache, indent=0, sort_keys=True))

    cached = sum(r.status == "cached" for r in summary.results)
    if to_run:
        kernel = _kernel_name()
        n_workers = max(1, min(jobs or os.cpu_count() or 1, len(to_run)))
        echo(f"evalkit: {len(to_run)} notebook(s) to run, {cached} unchanged (cached); {n_workers} in parallel")
        bar = tqdm(total=len(to_run), desc="evalkit run", unit="nb", disable=not progress, file=sys.stderr)
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            futures = {pool.submit(_execute, j, kernel): j for j in to_run}
            for fut in as_completed(futures):
                res = fut.result()
                j = res.job
                if res.status == "ok" and j.section_file.exists():
                    j.cache_file.parent.mkdir(parents=True, exist_ok=True)
                    j.cache_file.write_text(json.dumps({"key": j.key, "seconds": round(res.seconds, 2),
                                                        "finished": datetime.now().isoformat(timespec="seconds")}))
                elif res.status == "ok":
                    res = JobResult(j, "failed", res.seconds, "notebook did not save its section (ctx.save())")
                if res.status == "failed":
                    j.cache_file.unlink(missing_ok=True)
                    _write_failed_section(j, res.error or "unknown error")
                    bar.write(f"FAILED {j.model}/{j.measure}: {res.error} (see {j.output})")
                summary.results.append(res)
                bar.set_postfix_str(f"{j.model}/{j.measure}")
                bar.update(1)
        bar.close()
    else:
        echo(f"evalkit: nothing to run — all {cached} notebook(s) unchanged since their last run")

    ran = {r.job.model for r in summary.results if r.status != "cached"}
    for order, (model, mjobs) in enumerate(by_model.items()):
        if model in model_inputs and (model in ran or not (mjobs[0].model_dir / "run.json").exists()):
            _finish_model(mjobs[0].params, mjobs[0].model_dir, mjobs[0].params_file, model_inputs[model],
                          started, time.perf_counter() - t0, order, data_root=mjobs[0].data_root)
    return summary
