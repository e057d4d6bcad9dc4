#!/usr/bin/env python3
"""Pairs ringkit_bench's "ringkit" benchmarks with their raw-liburing twins and prints ratios.

Benchmarks are named "<suite>/<config>/<impl>/<args>" with impl "liburing" or "ringkit". Each
ringkit benchmark is compared with the liburing one of the same name; a "fast" (or "fixed") one
also with liburing's "default" (or "plain") config: what that setup buys over plain liburing.

  tools/bench_ratios.py --binary build/bench/bench/ringkit_bench [--repetitions 3] [-- args...]
  tools/bench_ratios.py --json results.json

With repetitions the median aggregate is used. ns/op is 1e9 / items_per_second (CPU or wall
time, whichever clock the benchmark used). Exit status 1 when a benchmark failed or a pair is
missing; 2 when --check is given and a bar of issue 4 is not met.
"""

import argparse
import json
import re
import subprocess
import sys

# A config also compared with liburing in another config: what its extra setup buys.
CROSS_BASELINE = {"fast": "default", "fixed": "plain"}

IMPL_RE = re.compile(r"^(?P<suite>[^/]+)/(?P<config>[^/]+)/(?P<impl>liburing|ringkit)/(?P<rest>.*)$")


def load(args):
    if args.json:
        with open(args.json, encoding="utf-8") as f:
            return json.load(f)
    cmd = [args.binary, "--benchmark_format=json"]
    if args.repetitions > 1:
        cmd += [f"--benchmark_repetitions={args.repetitions}",
                "--benchmark_enable_random_interleaving=true"]
    cmd += args.extra
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


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
    if config == "fast" and baseline_config == "default" and batch == 1:
        return 1.3
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--binary", help="ringkit_bench to run")
    source.add_argument("--json", help="a --benchmark_format=json (or --benchmark_out) file")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 2 when a bar is not met")
    parser.add_argument("extra", nargs="*", help="more arguments for the binary (after --)")
    args = parser.parse_args()

    doc = load(args)
    runs = ns_per_op(doc)
    rows, failed, below = [], False, False
    for name, (rk_ns, rk_err) in sorted(runs.items(), key=lambda kv: sort_key(kv[0])):
        m = IMPL_RE.match(name)
        if not m or m["impl"] != "ringkit":
            continue
        baselines = [m["config"]] + ([CROSS_BASELINE[m["config"]]]
                                     if m["config"] in CROSS_BASELINE else [])
        for base_config in baselines:
            base = f'{m["suite"]}/{base_config}/liburing/{m["rest"]}'
            label = name if base_config == m["config"] else f"{name} vs liburing {base_config}"
            lib_ns, lib_err = runs.get(base, (None, "missing"))
            if rk_err or lib_err:
                failed = True
                rows.append((label, lib_err or f"{lib_ns:.1f}", rk_err or f"{rk_ns:.1f}", "-", "-", ""))
                continue
            ratio = lib_ns / rk_ns  # ringkit throughput / liburing throughput
            bar = bar_for(m["suite"], m["config"], base_config, m["rest"])
            verdict = ""
            if bar is not None:
                verdict = f'>={bar:.2f} {"ok" if ratio >= bar else "BELOW"}'
                below |= ratio < bar
            rows.append((label, f"{lib_ns:.1f}", f"{rk_ns:.1f}", f"{ratio:.3f}x",
                         f"{rk_ns - lib_ns:+.1f}", verdict))

    header = ("benchmark", "liburing ns/op", "ringkit ns/op", "ringkit/liburing", "diff ns/op",
              "bar")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    ctx = doc.get("context", {})
    print(f'\n{ctx.get("num_cpus", "?")} CPUs, load average {ctx.get("load_avg", "?")}; '
          "ratio = ringkit throughput / liburing throughput (>1: ringkit faster)")
    if failed:
        return 1
    if args.check and below:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
