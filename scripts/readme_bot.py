#!/usr/bin/env python3
"""The README's "A bot in 30 lines" must compile cleanly: extract the first
C block after that heading, compile it with -Wall -Wextra -Werror against
the given include directories and link it against libdbot.

usage: readme_bot.py README.md CC LIBDIR INCDIR... (exit 0 when clean)
"""
import os
import re
import subprocess
import sys
import tempfile


def main():
    readme, cc, libdir, incs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    text = open(readme, encoding="utf-8").read()
    m = re.search(r"^## A bot in 30 lines\n.*?```c\n(.*?)```", text,
                  re.S | re.M)
    if not m:
        print("readme_bot: no C block under '## A bot in 30 lines'")
        return 1
    code = m.group(1)
    lines = code.count("\n")
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "bot.c")
        with open(src, "w", encoding="utf-8") as f:
            f.write(code)
        cmd = [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-o",
               os.path.join(d, "bot"), src]
        cmd += ["-I" + i for i in incs]
        cmd += ["-L" + libdir, "-ldbot", "-lcjson"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print(" ".join(cmd))
            print(r.stdout + r.stderr)
            return 1
    print(f"readme_bot: {lines} lines compile cleanly with -Wall -Wextra")
    return 0


if __name__ == "__main__":
    sys.exit(main())
