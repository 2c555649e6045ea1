#!/usr/bin/env python3
"""Every DBOT_API function in the public headers has a Name/Desc/Returns
comment that names it (docs/api.md, decision 8).

A comment documents the prototypes that follow it up to the next comment;
its "Name:" line (which may run over several lines, for grouped
prototypes) must list each of their names, and it must have a "Returns:"
line. Prints what is missing; exits 1 if anything is.
"""
import re
import sys

PROTO = re.compile(r"^DBOT_API\b[^;(]*?\b(\w+)\s*\(", re.S | re.M)


def check(path):
    text = open(path, encoding="utf-8").read()
    problems = []
    for m in PROTO.finditer(text):
        name = m.group(1)
        before = text[: m.start()]
        end = before.rfind("*/")
        start = before.rfind("/*", 0, end)
        if end < 0 or start < 0:
            problems.append(f"{path}: {name}: no comment")
            continue
        comment = before[start:end]
        names = re.search(r"Name:(.*?)(?:\n \* Desc:|\n \* Returns:|$)",
                          comment, re.S)
        listed = set(re.findall(r"\w+", names.group(1))) if names else set()
        if name not in listed:
            problems.append(f"{path}: {name}: not in a Name: block")
        elif "Returns:" not in comment:
            problems.append(f"{path}: {name}: no Returns:")
        elif "Desc:" not in comment:
            problems.append(f"{path}: {name}: no Desc:")
    return problems


def main(paths):
    problems = [p for path in paths for p in check(path)]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
