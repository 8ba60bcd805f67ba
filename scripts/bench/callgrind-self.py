#!/usr/bin/env python3
"""Self (exclusive) instruction counts per function from one callgrind dump.

scripts/bench/callgrind-send.sh uses it because callgrind_annotate 3.19 folds inlined frames into
its self column for our release binary (debug = 1), which then reads like an inclusive list.
Usage: callgrind-self.py DUMP [TOP]
"""
import re
import sys
from collections import Counter

NAME = re.compile(r"^\((\d+)\)(?: (.*))?$")


def main() -> int:
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    names: dict[str, str] = {}
    self_cost: Counter[str] = Counter()
    fn = "???"
    skip_next = False
    with open(path, encoding="utf-8", errors="replace") as dump:
        for line in dump:
            if line.startswith("fn="):
                m = NAME.match(line[3:].rstrip("\n"))
                if m:
                    if m.group(2) is not None:
                        names[m.group(1)] = m.group(2)
                    fn = names.get(m.group(1), m.group(1))
                else:
                    fn = line[3:].rstrip("\n")
            elif line.startswith("calls="):
                skip_next = True  # the next cost line is the callee's inclusive cost
            elif line[:1].isdigit() or line[:1] in "+-*":
                if skip_next:
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    self_cost[fn] += int(parts[1])
            elif line.startswith(("cfn=", "cfi=", "cfl=", "cob=")):
                m = NAME.match(line.split("=", 1)[1].rstrip("\n"))
                if line.startswith("cfn=") and m and m.group(2) is not None:
                    names[m.group(1)] = m.group(2)
    total = sum(self_cost.values())
    for name, cost in self_cost.most_common(top):
        print(f"{cost:>15,} ({100.0 * cost / total:5.2f}%)  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
