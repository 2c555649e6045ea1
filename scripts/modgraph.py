#!/usr/bin/env python3
"""The module graph of src/: which module includes which, and its cycles.

A module is a source file and its header; halves of a module that share a
prefix (gateway_conn.c, gateway_session.c, gateway_codec.c) count as one
("gateway"). An edge A -> B means a file of A includes a header of B.
Leaf headers that belong to no .c (clock.h, queue.h, task.h, ...) are
modules of their own with no outgoing edges unless they include something.

Usage: scripts/modgraph.py [--check] [--dot]
  --check  exit 1 when the graph has a cycle or a module other than the
           wiring (bot) and the public entry points (api) includes bot.h
  --dot    print the graph for graphviz
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
TOP = {"bot", "api"}  # may include bot.h; nothing may include them


def module_of(name):
    return os.path.splitext(os.path.basename(name))[0].split("_")[0]


def graph():
    g = {}
    for f in sorted(os.listdir(SRC)):
        if not f.endswith((".c", ".h")):
            continue
        m = module_of(f)
        g.setdefault(m, set())
        with open(os.path.join(SRC, f), encoding="utf-8") as fh:
            for inc in re.findall(r'^#include "([^"]+)"', fh.read(), re.M):
                t = module_of(inc)
                if t != m and os.path.exists(os.path.join(SRC, inc)):
                    g[m].add(t)
                    g.setdefault(t, set())
    return g


def cycles(g):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def main():
    g = graph()
    if "--dot" in sys.argv:
        print("digraph dbot {")
        for a in sorted(g):
            for b in sorted(g[a]):
                print(f'  "{a}" -> "{b}";')
        print("}")
        return 0
    bad = 0
    for comp in cycles(g):
        print("cycle: " + " ".join(comp))
        bad = 1
    for m in sorted(g):
        if m not in TOP and "bot" in g[m]:
            print(f"{m} includes bot.h (only the wiring and api may)")
            bad = 1
    for m in sorted(g):
        print(f"{m} -> {' '.join(sorted(g[m])) or '(leaf)'}")
    if bad and "--check" in sys.argv:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
