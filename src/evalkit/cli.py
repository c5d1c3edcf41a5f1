"""The ``evalkit`` command.

Exit codes: 0 ok, 1 some analysis failed, 2 usage or validation error. Errors are printed
as plain sentences naming the file, key, row, column or value — never a traceback
(``EVALKIT_DEBUG=1`` shows one).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ._version import __version__
from .errors import EXIT_ANALYSIS_FAILED, EXIT_OK, EXIT_USAGE, EvalkitError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors, like us
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"evalkit: error: {message}\n")


def _paths():
    from . import paths

    return paths


def _model_params(models: list[str], params: list[str] | None) -> list[Path]:
    """Params files for the models named (or all of ``params/``), plus ``--params`` files."""
    from .errors import ParamsError

    pdir = _paths().params_dir()
    files: list[Path] = [Path(p) for p in (params or [])]
    for p in files:
        if not p.is_file():
            raise ParamsError(f"{p}: file not found")
    if models:
        for m in models:
            f = pdir / f"{m}.yaml"
            if not f.is_file():
                known = ", ".join(_all_models(pdir)) or "none"
                raise ParamsError(f"{f}: no params file for model '{m}' (known models: {known})")
            files.append(f)
    elif not files:
        files = [pdir / f"{m}.yaml" for m in _all_models(pdir)]
        if not files:
            raise ParamsError(f"{pdir}: no params files found")
    return files


def _all_models(pdir: Path) -> list[str]:
    """Models in report order: ``report.models`` of defaults.yaml first, then alphabetically."""
    from .params import read_yaml

    names = sorted(p.stem for p in pdir.glob("*.yaml") if p.stem != "defaults")
    order: list[str] = []
    defaults = pdir / "defaults.yaml"
    if defaults.is_file():
        order = list((read_yaml(defaults).get("report") or {}).get("models") or [])
    return [m for m in order if m in names] + [m for m in names if m not in order]


def cmd_list(args) -> int:
    from .params import load_params

    for f in _model_params(args.models, args.params):
        p = load_params(f)
        print(f"{p.model:28s} {', '.join(p.measures):40s} {p.name}")
    return EXIT_OK


def cmd_validate(args) -> int:
    from .data import load_tables
    from .data.report import print_flow
    from .params import load_params

    status = EXIT_OK
    data_root = Path(args.data) if args.data else _paths().data_root()
    reports = Path(args.out) if args.out else _paths().reports_dir()
    for f in _model_params(args.models, args.params):
        params = load_params(f)
        print(f"== {params.model}: {params.name}")
        # quarantine: the rows set aside are listed (file, row, reasons, cells) in the internal rejects dir
        rejects = reports / params.model / "rejects" if params.on_invalid_rows == "quarantine" else None
        if rejects is not None:
            for old in rejects.glob("*.csv"):
                old.unlink()
        try:
            ds = load_tables(params, data_root, rejects_dir=rejects)
        except EvalkitError as exc:
            print(str(exc), file=sys.stderr)
            status = EXIT_USAGE
            continue
        print_flow(ds.flow, checks=ds.checks)
        if rejects is not None and any(sum(fl.rejected.values()) for fl in ds.flow):
            print(f"rejected rows (internal, never published): {rejects}")
        ds.close()
    return status


def cmd_run(args) -> int:
    from .errors import ParamsError
    from .params import load_params
    from .run import run_models

    data_root = Path(args.data) if args.data else _paths().data_root()
    reports = Path(args.out) if args.out else _paths().reports_dir()
    files = _model_params(args.models, args.params)
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for f in files:  # params problems first (all of them): the user fixes these before anything runs
        try:
            model = load_params(f).model
        except ParamsError as exc:
            problems.extend(exc.problems)
            continue
        if model in seen:  # both would write reports/<model>/, the later silently over the earlier
            problems.append(f"{f}: model '{model}' is already given by {seen[model]}; name a model or pass "
                            "its --params file, not both")
        seen.setdefault(model, f)
    if problems:
        raise ParamsError(problems)
    if not data_root.is_dir():
        print(f"evalkit: data directory not found: {data_root}", file=sys.stderr)
        return EXIT_USAGE
    summary = run_models(files, data_root=data_root, reports_dir=reports, jobs=args.jobs, force=args.force,
                         progress=not args.quiet)
    ok = sum(r.status == "ok" for r in summary.results)
    cached = sum(r.status == "cached" for r in summary.results)
    skipped = f", {len(summary.skipped)} skipped" if summary.skipped else ""
    print(f"evalkit run: {ok} ran, {cached} cached, {len(summary.failed)} failed{skipped} → {reports}", file=sys.stderr)
    for r in summary.failed:
        print(f"  failed: {r.job.model}/{r.job.measure}: {r.error}", file=sys.stderr)
    return summary.exit_code


def cmd_report(args) -> int:
    from .report.assemble import assemble_report

    reports = Path(args.out) if args.out else _paths().reports_dir()
    if not any(reports.glob("*/run.json")):
        print(f"evalkit report: nothing to assemble in {reports}; run `evalkit run` first", file=sys.stderr)
        return EXIT_USAGE
    formats = [f.strip() for f in args.format.split(",")] if args.format else None
    bad = [f for f in formats or [] if f not in {"docx", "html", "md"}]
    if bad:
        print(f"evalkit report: unknown format(s) {', '.join(bad)} (allowed: docx, html, md)", file=sys.stderr)
        return EXIT_USAGE
    written = assemble_report(reports, formats=formats, language=args.language, audience=args.audience)
    for w in written:
        print(f"wrote {w}", file=sys.stderr)
    print("privacy audit passed: no input identifiers or unsuppressed small counts in the outputs", file=sys.stderr)
    warnings = reports / "loppuraportti.warnings.txt"
    if warnings.exists():
        print(f"wording warnings ({warnings}):\n  " + "\n  ".join(warnings.read_text(encoding="utf-8").splitlines()),
              file=sys.stderr)
    failed = [p for p in reports.glob("*/sections/*.json") if '"status": "failed"' in p.read_text(encoding="utf-8")]
    return EXIT_ANALYSIS_FAILED if failed else EXIT_OK


def cmd_demo_data(args) -> int:
    from .data.demo import DEMO_SEED, write_demo_data

    out = Path(args.out) if args.out else _paths().data_root() / "demo"
    params_out = Path(args.params_out) if args.params_out else None
    seed = DEMO_SEED if args.seed is None else args.seed
    written = write_demo_data(out, seed=seed, params_dir=params_out)
    print(f"evalkit demo-data: wrote {len(written)} files under {out} and {out.parent / 'reference'} "
          f"(seed {seed}; truth in {out / 'TRUTH.yaml'})", file=sys.stderr)
    return EXIT_OK


def cmd_params_doc(args) -> int:
    from .params.doc import params_reference

    text = params_reference()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="evalkit", description="Reproducible impact evaluation of operating models.")
    p.add_argument("--version", action="version", version=f"evalkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def models_and_params(sp):
        sp.add_argument("models", nargs="*", metavar="MODEL", help="model ids (default: every params/*.yaml)")
        sp.add_argument("--params", action="append", metavar="FILE", help="a params file anywhere (repeatable)")

    sp = sub.add_parser("list", help="list models and their measures")
    models_and_params(sp)
    sp.set_defaults(func=cmd_list)

    sp = sub.add_parser("validate", help="check params and input data; print the data flow")
    models_and_params(sp)
    sp.add_argument("--data", metavar="DIR", help="data root (default: data/)")
    sp.add_argument("--out", metavar="DIR",
                    help="reports directory; with on_invalid_rows: quarantine the rejected rows are written "
                    "to <out>/<model>/rejects/ (default: reports/)")
    sp.set_defaults(func=cmd_validate)

    sp = sub.add_parser("run", help="run the measure notebooks")
    models_and_params(sp)
    sp.add_argument("--data", metavar="DIR", help="data root the params' table paths are relative to (default: data/)")
    sp.add_argument("--out", metavar="DIR", help="reports directory (default: reports/)")
    sp.add_argument("--jobs", type=int, default=None, metavar="N", help="notebooks in parallel (default: cores)")
    sp.add_argument("--force", action="store_true", help="rerun notebooks even when their inputs are unchanged")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(func=cmd_run)

    sp = sub.add_parser("report", help="assemble the final report from the runs")
    sp.add_argument("--out", metavar="DIR", help="reports directory (default: reports/)")
    sp.add_argument("--format", metavar="LIST", help="comma-separated: docx,html,md (default: params report.formats)")
    sp.add_argument("--language", choices=["fi", "sv", "en"], help="override the params language")
    sp.add_argument("--audience", choices=["public", "internal"],
                    help="override the params audience (internal adds individual-level figures and rejection reasons)")
    sp.set_defaults(func=cmd_report)

    sp = sub.add_parser("demo-data", help="write the synthetic demo data")
    sp.add_argument("--seed", type=int, default=None,
                    help="random seed (default: the shipped demo data's seed, evalkit.data.demo.DEMO_SEED)")
    sp.add_argument("--out", metavar="DIR", help="output directory (default: data/demo)")
    sp.add_argument("--params-out", metavar="DIR", help="also write the demo params files here")
    sp.set_defaults(func=cmd_demo_data)

    sp = sub.add_parser("params-doc", help="print the params key reference (Markdown)")
    sp.add_argument("--out", metavar="FILE")
    sp.set_defaults(func=cmd_params_doc)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except EvalkitError as exc:
        if os.environ.get("EVALKIT_DEBUG"):
            raise
        print(f"evalkit: {exc}" if "\n" not in str(exc) else f"evalkit:\n{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("evalkit: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in evalkit: one line, and how to see the details
        if os.environ.get("EVALKIT_DEBUG"):
            raise
        print(f"evalkit: internal error: {type(exc).__name__}: {exc}\n"
              "(this is a bug in evalkit; rerun with EVALKIT_DEBUG=1 for the traceback and report it)",
              file=sys.stderr)
        return EXIT_ANALYSIS_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
