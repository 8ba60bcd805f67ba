#!/usr/bin/env python3
"""Builds docs/compatibility.md from the results of the interop suites (never written by hand).

Inputs, each optional (a missing one shows as "not run" in the matrix):
  --cargo-log FILE   output of `cargo test --workspace` (the Rust interop suite's binaries
                     `client_rust` and `namesrv_route` are read from it; its totals count too)
  --surefire DIR     interop/java/target/surefire-reports (JUnit XML of the Java suite)
  --go-json FILE     output of `go test -json ./...` in interop/go
Modes:
  --out FILE         write the matrix (markdown)
  --totals           print `all: N passed, N failed, N skipped` over every runner
  --print-go FILE    print a readable summary of a `go test -json` file (one line per test)

A scenario is "pass", "fail: <first line of the failure>", "expected failure: <why>" (a test
marked as failing for a missing feature: the Java suite's @ExpectedFailure, the Go suite's xfail;
both report the test as skipped with a message that starts "expected failure:") or
"skipped: <why>".
"""

import argparse
import glob
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict

RUST_INTEROP_BINARIES = ("client_rust", "namesrv_route")


def first_line(text, limit=220):
    text = (text or "").strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def classify_skip(message):
    message = first_line(message, limit=2000)
    # JUnit writes "org.opentest4j.TestAbortedException: expected failure: ..."; Go "expected failure: ...".
    at = message.lower().find("expected failure:")
    if at >= 0:
        rest = message[at + len("expected failure:"):].strip()
        return "xfail", first_line(rest)
    return "skip", first_line(message)


# ---------------------------------------------------------------- cargo


def read_cargo(path):
    """Returns (scenarios of the Rust interop suite, totals of every cargo test binary)."""
    scenarios = OrderedDict()
    totals = {"pass": 0, "fail": 0, "skip": 0}
    if not path or not os.path.exists(path):
        return None, None
    binary = None
    running = re.compile(r"^\s*Running (\S+) \(.*?deps/([A-Za-z0-9_]+)-[0-9a-f]+\)")
    result = re.compile(r"^test (\S+) \.\.\. (ok|FAILED|ignored)(.*)$")
    summary = re.compile(
        r"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored")
    # A test that cannot run here (no root, no nft) writes `SKIPPED <name>: <why>` to the real
    # stderr and returns; libtest reports it as passed, so it is moved from passed to skipped.
    skipped_line = re.compile(r"^SKIPPED (\S+?): (.*)$")
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = running.match(line)
            if m:
                binary = m.group(2)
                continue
            if line.strip().startswith("Doc-tests"):
                binary = None
                continue
            m = skipped_line.match(line.strip())
            if m:
                totals["pass"] -= 1
                totals["skip"] += 1
                continue
            m = summary.match(line)
            if m:
                totals["pass"] += int(m.group(1))
                totals["fail"] += int(m.group(2))
                totals["skip"] += int(m.group(3))
                continue
            m = result.match(line)
            if m and binary in RUST_INTEROP_BINARIES:
                name = f"{binary}::{m.group(1)}"
                status = {"ok": "pass", "FAILED": "fail", "ignored": "skip"}[m.group(2)]
                detail = m.group(3).strip(" ,")
                scenarios[name] = (status, detail)
    return scenarios, totals


# ---------------------------------------------------------------- surefire


def read_surefire(directory):
    if not directory or not os.path.isdir(directory):
        return None, None
    scenarios = OrderedDict()
    totals = {"pass": 0, "fail": 0, "skip": 0}
    for path in sorted(glob.glob(os.path.join(directory, "TEST-*.xml"))):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            scenarios[os.path.basename(path)] = ("fail", f"unreadable report: {e}")
            totals["fail"] += 1
            continue
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        for suite in suites:
            for case in suite.findall("testcase"):
                cls = case.get("classname", suite.get("name", "?")).split(".")[-1]
                name = f"{cls}.{case.get('name', '?')}"
                failure = case.find("failure")
                error = case.find("error")
                skipped = case.find("skipped")
                if failure is not None or error is not None:
                    node = failure if failure is not None else error
                    msg = node.get("message") or node.text or node.get("type", "")
                    scenarios[name] = ("fail", first_line(msg))
                    totals["fail"] += 1
                elif skipped is not None:
                    status, why = classify_skip(skipped.get("message") or skipped.text or "")
                    scenarios[name] = (status, why)
                    totals["skip"] += 1
                else:
                    scenarios[name] = ("pass", "")
                    totals["pass"] += 1
    return scenarios, totals


# ---------------------------------------------------------------- go


def read_go(path):
    if not path or not os.path.exists(path):
        return None, None
    events = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    outputs, results, build_failed = {}, OrderedDict(), []
    for ev in events:
        test = ev.get("Test")
        action = ev.get("Action")
        if action == "output":
            if test:
                outputs.setdefault(test, []).append(ev.get("Output", ""))
            elif "FAIL" in ev.get("Output", "") and "[build failed]" in ev.get("Output", ""):
                build_failed.append(ev.get("Output", "").strip())
        elif action in ("pass", "fail", "skip") and test:
            results[test] = action
    names = list(results)
    leaves = [n for n in names if not any(o.startswith(n + "/") for o in names)]
    scenarios = OrderedDict()
    totals = {"pass": 0, "fail": 0, "skip": 0}
    for name in leaves:
        action = results[name]
        text = "".join(outputs.get(name, []))
        if action == "pass":
            scenarios[name] = ("pass", "")
        elif action == "fail":
            lines = [l.strip() for l in text.splitlines()
                     if l.strip() and not l.strip().startswith(("=== RUN", "--- FAIL", "=== PAUSE", "=== CONT"))]
            scenarios[name] = ("fail", first_line(lines[0] if lines else "failed"))
        else:
            m = re.search(r"expected failure:.*", text)
            if m:
                scenarios[name] = classify_skip(m.group(0))
            else:
                lines = [l.strip() for l in text.splitlines()
                         if l.strip() and not l.strip().startswith(("=== RUN", "--- SKIP"))]
                scenarios[name] = ("skip", first_line(lines[-1] if lines else ""))
        totals[action] += 1
    for b in build_failed:
        scenarios[f"build: {b}"] = ("fail", "the Go suite did not build")
        totals["fail"] += 1
    return scenarios, totals


# ---------------------------------------------------------------- output

LABEL = {"pass": "pass", "fail": "fail", "xfail": "expected failure", "skip": "skipped"}


def cell(status, detail):
    text = LABEL[status] + (f": {detail}" if detail and status != "pass" else "")
    return text.replace("|", "\\|")


def render(clients):
    out = [
        "# Compatibility matrix",
        "",
        "Generated by `scripts/compat-matrix.py` from the results of the last run of",
        "`scripts/test-all.sh` (do not edit by hand). Clients: the Java client and mqadmin 4.9.7",
        "(`interop/java`), rocketmq-client-go/v2 (`interop/go`), the crates.io",
        "rocketmq-client-rust 1.0.0 (`interop/`). *Expected failure* is a scenario that fails today",
        "because of a missing feature of ours, named with its request code; it turns into a",
        "failure the day it passes, so that the list only shrinks.",
        "",
        "| client | pass | expected failure | fail | skipped |",
        "|---|---|---|---|---|",
    ]
    for client, scenarios in clients.items():
        if scenarios is None:
            out.append(f"| {client} | not run | | | |")
            continue
        counts = {k: 0 for k in LABEL}
        for status, _ in scenarios.values():
            counts[status] += 1
        out.append(f"| {client} | {counts['pass']} | {counts['xfail']} | {counts['fail']} | {counts['skip']} |")
    for client, scenarios in clients.items():
        out += ["", f"## {client}", ""]
        if scenarios is None:
            out.append("Not run in the last run.")
            continue
        out += ["| scenario | result |", "|---|---|"]
        for name, (status, detail) in scenarios.items():
            out.append(f"| `{name}` | {cell(status, detail)} |")
    return "\n".join(out) + "\n"


def read_web(path):
    """Totals of the dashboard browser test (dashboard/tests/e2e.mjs): its last
    `web: N passed, N failed` line; a log without one counts as one failure."""
    if not path or not os.path.exists(path):
        return None
    found = None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"web: (\d+) passed, (\d+) failed", line.strip())
            if m:
                found = {"pass": int(m.group(1)), "fail": int(m.group(2)), "skip": 0}
    return found or {"pass": 0, "fail": 1, "skip": 0}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cargo-log")
    ap.add_argument("--surefire")
    ap.add_argument("--go-json")
    ap.add_argument("--out")
    ap.add_argument("--totals", action="store_true")
    ap.add_argument("--print-go")
    ap.add_argument("--web-log")
    args = ap.parse_args()

    if args.print_go:
        scenarios, totals = read_go(args.print_go)
        if scenarios is None:
            print(f"no go test output at {args.print_go}")
            return 1
        for name, (status, detail) in scenarios.items():
            print(f"go {LABEL[status]:<16} {name}" + (f"  ({detail})" if detail and status != "pass" else ""))
        print(f"go: {totals['pass']} passed, {totals['fail']} failed, {totals['skip']} skipped")
        return 0

    cargo, cargo_totals = read_cargo(args.cargo_log)
    java, java_totals = read_surefire(args.surefire)
    go, go_totals = read_go(args.go_json)
    web_totals = read_web(args.web_log)

    if args.out:
        java_client = None if java is None else OrderedDict(
            (k, v) for k, v in java.items() if not k.startswith("MqAdmin"))
        mqadmin = None if java is None else OrderedDict(
            (k, v) for k, v in java.items() if k.startswith("MqAdmin"))
        clients = OrderedDict([
            ("Java client 4.9.7", java_client),
            ("mqadmin 4.9.7 (rocketmq-tools)", mqadmin),
            ("rocketmq-client-go/v2", go),
            ("rocketmq-client-rust 1.0.0", cargo),
        ])
        with open(args.out, "w") as f:
            f.write(render(clients))
        print(f"wrote {args.out}")

    if args.totals:
        total = {"pass": 0, "fail": 0, "skip": 0}
        for t in (cargo_totals, java_totals, go_totals, web_totals):
            if t:
                for k in total:
                    total[k] += t[k]
        print(f"all: {total['pass']} passed, {total['fail']} failed, {total['skip']} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
