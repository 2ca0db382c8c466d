#!/usr/bin/env python3
"""Time `briefing build` on synthetic sites.

    python3 bench/run_builds.py [--sizes 1000,10000] [--runs 5] [--binary target/release/briefing]
                                [--workdir /tmp/briefing-bench] [--warm] [--hugo [--no-hugo-related]]

For each size it generates the site once (bench/gen_site.py, seed 1), then
builds it `--runs` times cold (no output, no cache) and, with --warm, as many
times warm (the previous output and cache present) after one briefing
changed, and as many after one briefing added (a full-length one, newer than
the rest, each run adding one more, as content commits do in CI), and
prints medians of wall time, CPU time (user + system) and peak RSS of the
whole process, with the output's file count and bytes. With --hugo, and when
`hugo` is on PATH, it renders the same corpus with Hugo and a minimal theme,
with and without Hugo's Related list, alternating with briefing's runs, and
prints the ratios.

Python 3.11 standard library only. Each measured process is waited for with
os.wait4, so the numbers are that process's own, not the script's.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def measure(cmd: list[str], cwd: Path | None = None) -> dict:
    """Runs cmd; returns wall seconds, CPU seconds and peak RSS in MiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024.0,
    }


def tree_size(path: Path) -> tuple[int, int]:
    files = 0
    size = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, name))
    return files, size


def ensure_site(workdir: Path, n: int) -> Path:
    site = workdir / f"site-{n}"
    marker = site / ".generated"
    if not marker.exists():
        if site.exists():
            shutil.rmtree(site)
        subprocess.run(
            [sys.executable, str(HERE / "gen_site.py"), "--count", str(n), "--out", str(site), "--seed", "1"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        marker.write_text("ok\n")
    return site


def first_briefing(site: Path) -> Path:
    return sorted((site / "content" / "briefings").glob("2*.md"))[0]


def added_briefing(site: Path, i: int) -> tuple[Path, str]:
    """The i-th briefing a warm run adds: the text of a briefing from the
    middle of the archive under a new title, dated i + 1 minutes after the
    newest one (the same year, so the footer's year stays)."""
    files = sorted((site / "content" / "briefings").glob("2*.md"))
    newest = files[-1].read_text(encoding="utf-8")
    date = re.search(r"^date = (\S+)$", newest, re.M).group(1)
    when = datetime.fromisoformat(date.replace("Z", "+00:00")) + timedelta(minutes=i + 1)
    text = files[len(files) // 2].read_text(encoding="utf-8")
    text = re.sub(r"^title = .*$", f'title = "Briefing added by warm run {i}"', text, count=1, flags=re.M)
    text = re.sub(r"^date = .*$", f"date = {when.strftime('%Y-%m-%dT%H:%M:%SZ')}", text, count=1, flags=re.M)
    return site / "content" / "briefings" / f"{when:%Y-%m-%d}-zz-added-{i}.md", text


def median_row(samples: list[dict]) -> dict:
    return {k: statistics.median(s[k] for s in samples) for k in ("wall", "cpu", "rss")}


def clear(site: Path, out: Path) -> None:
    for d in (out, site / ".briefing-cache"):
        if d.exists():
            shutil.rmtree(d)


def hugo_site(site: Path, related: bool) -> Path:
    """A Hugo site over the same content with a minimal theme."""
    hsite = site.parent / (site.name + ("-hugo-related" if related else "-hugo"))
    if hsite.exists():
        shutil.rmtree(hsite)
    (hsite / "layouts" / "_default").mkdir(parents=True)
    os.symlink(site / "content", hsite / "content")
    (hsite / "hugo.toml").write_text(
        'baseURL = "https://bench.example.org/"\ntitle = "Synthetic briefings"\n'
        "[taxonomies]\ntag = \"tags\"\n"
        + ("[related]\nthreshold = 80\nincludeNewer = true\ntoLower = true\n"
           "[[related.indices]]\nname = \"tags\"\nweight = 100\n" if related else "")
    )
    base = (
        "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>"
        "<header><a href=\"{{ .Site.BaseURL }}\">{{ .Site.Title }}</a></header>"
        "<main>{{ block \"main\" . }}{{ end }}</main></body></html>"
    )
    (hsite / "layouts" / "_default" / "baseof.html").write_text(base)
    single = (
        "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2 January 2006\" }}</time>"
        "<p>{{ .Summary }}</p>{{ .Content }}"
        "<ul>{{ range .Params.tags }}<li><a href=\"{{ \"/tags/\" | relURL }}{{ . | urlize }}/\">{{ . }}</a></li>{{ end }}</ul>"
        + ("<h2>Related</h2><ul>{{ range first 3 (.Site.RegularPages.Related .) }}"
           "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>" if related else "")
        + "</article>{{ end }}"
    )
    (hsite / "layouts" / "_default" / "single.html").write_text(single)
    listing = (
        "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}"
        "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>{{ end }}"
    )
    (hsite / "layouts" / "_default" / "list.html").write_text(listing)
    (hsite / "layouts" / "index.html").write_text(
        "{{ define \"main\" }}<ul>{{ range first 50 .Site.RegularPages }}"
        "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>{{ end }}"
    )
    return hsite


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "briefing"))
    ap.add_argument("--workdir", default="/tmp/briefing-bench")
    ap.add_argument("--warm", action="store_true", help="also time warm builds (one briefing changed)")
    ap.add_argument("--hugo", action="store_true", help="also time Hugo on the same corpus, if installed")
    ap.add_argument("--no-hugo-related", action="store_true",
                    help="with --hugo, skip the (slow) run with Hugo's Related list")
    args = ap.parse_args()

    binary = Path(args.binary).resolve()
    if not binary.exists():
        sys.exit(f"{binary} is missing: run `cargo build --release` first")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    hugo = shutil.which("hugo") if args.hugo else None
    if args.hugo and not hugo:
        print("hugo is not installed (apt-get install hugo); skipping the comparison", file=sys.stderr)

    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        site = ensure_site(workdir, n)
        out = site / "public"
        cold, warm, added, hugo_plain, hugo_rel = [], [], [], [], []
        for _ in range(args.runs):
            clear(site, out)
            cold.append(measure([str(binary), "build", "--root", str(site), "-q"]))
            if hugo:
                variants = ((False, hugo_plain),) if args.no_hugo_related else ((False, hugo_plain), (True, hugo_rel))
                for related, samples in variants:
                    hsite = hugo_site(site, related)
                    samples.append(measure([hugo, "--quiet", "-s", str(hsite), "-d", str(hsite / "public")]))
                    shutil.rmtree(hsite)
        files, size = tree_size(out)
        if args.warm:
            target = first_briefing(site)
            original = target.read_bytes()
            try:
                for i in range(args.runs):
                    target.write_bytes(original + f"\nA line added for warm run {i}.\n".encode())
                    warm.append(measure([str(binary), "build", "--root", str(site), "-q"]))
            finally:
                target.write_bytes(original)
            made = []
            try:
                for i in range(args.runs):
                    path, text = added_briefing(site, i)
                    path.write_text(text, encoding="utf-8")
                    made.append(path)
                    added.append(measure([str(binary), "build", "--root", str(site), "-q"]))
            finally:
                for path in made:
                    path.unlink()
                # Back to the site as generated (not timed).
                subprocess.run([str(binary), "build", "--root", str(site), "-q"], check=True)
        rows.append((n, "briefing cold", median_row(cold), files, size))
        if warm:
            rows.append((n, "briefing warm (1 changed)", median_row(warm), files, size))
        if added:
            rows.append((n, "briefing warm (1 added)", median_row(added), None, None))
        if hugo_plain:
            rows.append((n, "hugo (no related)", median_row(hugo_plain), None, None))
            if hugo_rel:
                rows.append((n, "hugo (related)", median_row(hugo_rel), None, None))

    print(f"Medians of {args.runs} runs; machine: {os.cpu_count()} cores.")
    print()
    print("| briefings | run | wall (s) | CPU (s) | peak RSS (MiB) | files | MB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n, name, m, files, size in rows:
        f = "" if files is None else str(files)
        mb = "" if size is None else f"{size / 1e6:.1f}"
        print(f"| {n} | {name} | {m['wall']:.2f} | {m['cpu']:.2f} | {m['rss']:.0f} | {f} | {mb} |")
    if hugo:
        print()
        for n in sorted({r[0] for r in rows}):
            ours = next(r[2]["wall"] for r in rows if r[0] == n and r[1] == "briefing cold")
            for name in ("hugo (no related)", "hugo (related)"):
                theirs = next((r[2]["wall"] for r in rows if r[0] == n and r[1] == name), None)
                if theirs:
                    print(f"{n}: briefing cold / {name} = {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
