#!/usr/bin/env python3
"""Pairs ringkit_bench's "ringkit" benchmarks with their raw-liburing twins and prints ratios.

Benchmarks are named "<suite>/<config>/<impl>/<args>" with impl "liburing" or "ringkit". Each
ringkit benchmark is compared with the liburing one of the same name; a "fast" (or "fixed") one
also with liburing's "default" (or "plain") config: what that setup buys over plain liburing.
A ringkit config "<config>-inlined" (called through the concrete UringRing, not Ring&) is
compared with liburing's "<config>" and that config's cross baseline.

  tools/bench_ratios.py --binary build/bench/bench/ringkit_bench [--repetitions 3] [--runs 5]
  tools/bench_ratios.py --json results.json [--json more.json ...]

With repetitions the median aggregate is used. With several runs (or several JSON files) each
figure is the median over the runs, and "runs range" shows the lowest and highest per-run ratio:
on a shared machine one run's ratio can swing by several percent. ns/op is 1e9 /
items_per_second (CPU or wall time, whichever clock the benchmark used). Exit status 1 when a
benchmark failed or a pair is missing; 2 when --check is given and a bar of issue 4 is not met.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys

# A config also compared with liburing in another config: what its extra setup buys.
CROSS_BASELINE = {"fast": "default", "fixed": "plain"}

IMPL_RE = re.compile(r"^(?P<suite>[^/]+)/(?P<config>[^/]+)/(?P<impl>liburing|ringkit)/(?P<rest>.*)$")


INLINED_SUFFIX = "-inlined"


def load(args):
    """One JSON document per run."""
    if args.json:
        docs = []
        for path in args.json:
            with open(path, encoding="utf-8") as f:
                docs.append(json.load(f))
        return docs
    cmd = [args.binary, "--benchmark_format=json"]
    if args.repetitions > 1:
        cmd += [f"--benchmark_repetitions={args.repetitions}",
                "--benchmark_enable_random_interleaving=true"]
    cmd += args.extra
    docs = []
    for run in range(args.runs):
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        if args.save:
            with open(f"{args.save}-{run + 1}.json", "w", encoding="utf-8") as f:
                f.write(out)
        docs.append(json.loads(out))
    return docs


def ns_per_op(doc):
    """run_name (minus the /real_time suffix) -> (ns/op, error message or None)."""
    runs = {}
    has_median = any(b.get("aggregate_name") == "median" for b in doc["benchmarks"])
    for b in doc["benchmarks"]:
        name = re.sub(r"/real_time$", "", b.get("run_name", b["name"]))
        if b.get("error_occurred"):
            runs[name] = (None, b.get("error_message", "error"))
            continue
        if has_median and b.get("aggregate_name") != "median":
            continue
        if not has_median and b.get("run_type") == "aggregate":
            continue
        ips = b.get("items_per_second")
        if not ips:
            runs.setdefault(name, (None, "no items_per_second"))
            continue
        runs[name] = (1e9 / ips, None)
    return runs


PAIRED_RE = re.compile(r"^(?P<suite>[^/]+)-paired/(?P<config>.+)-vs-(?P<base>[^/]+)/(?P<rest>.*)$")


def paired(doc):
    """Paired benchmarks ("<suite>-paired/<ringkit config>-vs-<liburing config>/<args>", both
    rings alternating in one benchmark): name -> ((ratio, liburing ns/op, ringkit ns/op), error
    or None), from the median aggregate when there is one."""
    out = {}
    has_median = any(b.get("aggregate_name") == "median" for b in doc["benchmarks"])
    for b in doc["benchmarks"]:
        name = b.get("run_name", b["name"])
        if not PAIRED_RE.match(name):
            continue
        if b.get("error_occurred"):
            out[name] = (None, b.get("error_message", "error"))
            continue
        if (b.get("aggregate_name") != "median") if has_median else b.get("run_type") == "aggregate":
            continue
        if "ratio" not in b:
            out.setdefault(name, (None, "no ratio counter"))
            continue
        out[name] = ((b["ratio"], b["liburing_ns_per_op"], b["ringkit_ns_per_op"]), None)
    return out


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())


def sort_key(name):
    """Suite and config in the binary's order, then numeric arguments in numeric order."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def bar_for(suite, config, baseline_config, rest):
    """The minimum throughput ratio issue 4 asks for, or None."""
    if suite != "nop":
        return None
    batch = int(rest.split(":")[1]) if rest.startswith("batch:") else None
    if batch is None:
        return None
    if config == "default" and baseline_config == "default":
        return 0.97 if batch == 1 else (1.00 if batch >= 32 else None)
    if config in ("fast", "fast" + INLINED_SUFFIX) and baseline_config == "default" and batch == 1:
        return 1.3
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--binary", help="ringkit_bench to run")
    source.add_argument("--json", nargs="+",
                        help="--benchmark_format=json (or --benchmark_out) files, one per run")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1, help="run the binary this many times")
    parser.add_argument("--save", metavar="PREFIX", help="keep each run's JSON as PREFIX-<run>.json")
    parser.add_argument("--check", action="store_true", help="exit 2 when a bar is not met")
    parser.add_argument("extra", nargs="*", help="more arguments for the binary (after --)")
    args = parser.parse_args()

    docs = load(args)
    per_run = [ns_per_op(doc) for doc in docs]
    names = sorted({n for runs in per_run for n in runs}, key=sort_key)

    def figure(name):
        """(median ns/op over the runs, per-run values, error or None)."""
        values, err = [], None
        for runs in per_run:
            ns, e = runs.get(name, (None, "missing"))
            if e:
                err = e
            else:
                values.append(ns)
        return (statistics.median(values) if values and not err else None), values, err

    rows, failed, below = [], False, False
    for name in names:
        m = IMPL_RE.match(name)
        if not m or m["impl"] != "ringkit":
            continue
        rk_ns, rk_values, rk_err = figure(name)
        own = m["config"].removesuffix(INLINED_SUFFIX)
        baselines = [own] + ([CROSS_BASELINE[own]] if own in CROSS_BASELINE else [])
        for base_config in baselines:
            base = f'{m["suite"]}/{base_config}/liburing/{m["rest"]}'
            label = name if base_config == m["config"] else f"{name} vs liburing {base_config}"
            lib_ns, lib_values, lib_err = figure(base)
            if rk_err or lib_err:
                failed = True
                rows.append((label, lib_err or f"{lib_ns:.1f}", rk_err or f"{rk_ns:.1f}", "-", "-",
                             "-", ""))
                continue
            ratio = lib_ns / rk_ns  # ringkit throughput / liburing throughput
            run_ratios = [lib / rk for lib, rk in zip(lib_values, rk_values)]
            spread = (f"{min(run_ratios):.3f}-{max(run_ratios):.3f}" if len(run_ratios) > 1
                      else "")
            bar = bar_for(m["suite"], m["config"], base_config, m["rest"])
            verdict = ""
            if bar is not None:
                verdict = f'>={bar:.2f} {"ok" if ratio >= bar else "BELOW"}'
                below |= ratio < bar
            rows.append((label, f"{lib_ns:.1f}", f"{rk_ns:.1f}", f"{ratio:.3f}x", spread,
                         f"{rk_ns - lib_ns:+.1f}", verdict))

    header = ("benchmark", "liburing ns/op", "ringkit ns/op", "ringkit/liburing", "runs range",
              "diff ns/op", "bar")
    print_table(header, rows)

    # Paired benchmarks carry their own ratio (median over alternating chunk pairs).
    per_run_paired = [paired(doc) for doc in docs]
    paired_names = sorted({n for runs in per_run_paired for n in runs}, key=sort_key)
    prows = []
    for name in paired_names:
        m = PAIRED_RE.match(name)
        got = [runs.get(name, (None, "missing")) for runs in per_run_paired]
        errors = [e for _, e in got if e]
        if errors:
            failed = True
            prows.append((name, "-", "-", errors[0], "-", "-", ""))
            continue
        ratios = [v[0] for v, _ in got]
        lib_ns = statistics.median(v[1] for v, _ in got)
        rk_ns = statistics.median(v[2] for v, _ in got)
        ratio = statistics.median(ratios)
        spread = f"{min(ratios):.3f}-{max(ratios):.3f}" if len(ratios) > 1 else ""
        bar = bar_for(m["suite"], m["config"], m["base"], m["rest"])
        verdict = ""
        if bar is not None:
            verdict = f'>={bar:.2f} {"ok" if ratio >= bar else "BELOW"}'
            below |= ratio < bar
        prows.append((name, f"{lib_ns:.1f}", f"{rk_ns:.1f}", f"{ratio:.3f}x", spread,
                      f"{rk_ns - lib_ns:+.1f}", verdict))
    if prows:
        print()
        print_table(("paired benchmark",) + header[1:], prows)
    ctx = docs[0].get("context", {})
    loads = ", ".join(f'{d.get("context", {}).get("load_avg", ["?"])[0]:.2f}'
                      if d.get("context", {}).get("load_avg") else "?" for d in docs)
    print(f'\n{ctx.get("num_cpus", "?")} CPUs, {len(docs)} run(s), 1-min load average at each '
          f"run's start: {loads}; median over runs; "
          "ratio = ringkit throughput / liburing throughput (>1: ringkit faster)")
    if failed:
        return 1
    if args.check and below:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
