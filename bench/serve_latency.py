#!/usr/bin/env python3
"""Time `briefing serve` from a saved edit to the reload event.

Starts `briefing serve --port 0` on a site, connects to the live-reload
event stream like a browser tab, then repeatedly edits a file and measures
the time from the write to the `event: reload` line. Prints the median (and
all samples) for body edits of one briefing in the middle of the archive
and of the newest one (a short sentence appended, the same words each
time), for edits adding a new paragraph to the middle briefing and to the
newest (a different one each time, taken from another briefing of the
site: new words for this briefing, often new key issues or entities), for
template edits, and the cold full `briefing build` time for comparison.

By default each edit follows the last reload by `--settle` seconds, while
serve may still be building the last rebuild's search index in the
background (at low priority); `--idle` waits for that work first, as saves
at a writer's pace would.

    python3 bench/gen_site.py --count 10000 --out /tmp/site10k
    cargo build --release
    python3 bench/serve_latency.py --site /tmp/site10k [--edits 7]

Standard library only. The site's files are edited in place and restored.
"""

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Progress:
    """Follows serve's verbose output: whether the background work (search
    index, link check) of the last build published is done. Serve skips
    that work for a build a newer one made moot, so the last build's
    line is what counts, not a tally."""

    def __init__(self):
        self.cond = threading.Condition()
        self.idle = True

    def see(self, line):
        with self.cond:
            if line.startswith(("Built", "Rebuilt")):
                self.idle = False
            elif line.startswith("  then the search index"):
                self.idle = True
            self.cond.notify_all()

    def wait_idle(self, timeout=60):
        """Until the last build's background work is done (or the timeout)."""
        with self.cond:
            self.cond.wait_for(lambda: self.idle, timeout)


def start_serve(binary, site, log, progress):
    proc = subprocess.Popen(
        [binary, "serve", "--root", site, "--port", "0", "-v"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        text=True,
    )
    t0 = time.monotonic()
    for line in proc.stdout:
        # The start-up build's line too: its background work is the first
        # an --idle run waits for.
        progress.see(line)
        if line.startswith("Serving "):
            url = line.split()[1]
            break
    else:
        raise SystemExit("serve exited before printing its address")
    startup = time.monotonic() - t0

    # Keep reading what it prints (a full pipe would stall it), into the log.
    def drain():
        out = open(log, "w", encoding="utf-8") if log else None
        for line in proc.stdout:
            progress.see(line)
            if out:
                out.write(line)
                out.flush()

    threading.Thread(target=drain, daemon=True).start()
    hostport = url.split("//", 1)[1].split("/", 1)[0]
    host, port = hostport.rsplit(":", 1)
    return proc, (host, int(port)), startup


class Events:
    def __init__(self, addr):
        self.sock = socket.create_connection(addr)
        host = f"{addr[0]}:{addr[1]}".encode()
        self.sock.sendall(b"GET /__briefing/events HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
        self.buf = b""
        self.wait_for(b": connected")

    def wait_for(self, marker, timeout=120):
        self.sock.settimeout(timeout)
        while marker not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SystemExit("event stream closed")
            self.buf += chunk
        self.buf = self.buf[self.buf.index(marker) + len(marker):]


def time_edits(events, path, make_text, count, settle, idle=None):
    original = open(path, encoding="utf-8").read()
    samples = []
    try:
        for i in range(count):
            if idle:
                idle.wait_idle()
            text = make_text(original, i)
            t0 = time.monotonic()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            events.wait_for(b"event: reload")
            samples.append((time.monotonic() - t0) * 1000)
            time.sleep(settle)
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        events.wait_for(b"event: reload")
    return samples


def first_paragraph(path):
    """The first paragraph of a briefing's body (after its front matter)."""
    text = open(path, encoding="utf-8").read()
    if text.startswith("+++"):
        text = text.split("+++", 2)[2]
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip() and not p.lstrip().startswith("#")]
    return paragraphs[0]


def main():
    # A terminated run still restores the files it edited (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--site", required=True)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/briefing"))
    ap.add_argument("--edits", type=int, default=7)
    ap.add_argument("--settle", type=float, default=0.3, help="seconds between edits")
    ap.add_argument("--idle", action="store_true",
                    help="before each edit, also wait until serve has finished the last "
                         "rebuild's background work (search index, link check): saves at "
                         "a writer's pace rather than back to back")
    ap.add_argument("--log", help="write serve -v output (stage times of each rebuild) here")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold build timing")
    args = ap.parse_args()
    site = os.path.abspath(args.site)

    # Templates to edit: the defaults, written out if the site has none.
    template = os.path.join(site, "templates", "briefing.html")
    added_templates = False
    if not os.path.exists(template):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([args.binary, "init", os.path.join(tmp, "s")], check=True,
                           stdout=subprocess.DEVNULL)
            shutil.copytree(os.path.join(tmp, "s", "templates"), os.path.join(site, "templates"),
                            dirs_exist_ok=True)
        added_templates = True

    cold = None
    if not args.no_cold:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.rmtree(os.path.join(site, ".briefing-cache"), ignore_errors=True)
            t0 = time.monotonic()
            subprocess.run([args.binary, "build", "--root", site, "--output", os.path.join(tmp, "out")],
                           check=True, stdout=subprocess.DEVNULL)
            cold = (time.monotonic() - t0) * 1000
            shutil.rmtree(os.path.join(site, ".briefing-cache"), ignore_errors=True)

    had_cache = os.path.isdir(os.path.join(site, ".briefing-cache"))
    progress = Progress()
    idle = progress if args.idle else None
    proc, addr, startup = start_serve(args.binary, site, args.log, progress)
    try:
        events = Events(addr)
        briefings = sorted(
            os.path.join(site, "content", "briefings", f)
            for f in os.listdir(os.path.join(site, "content", "briefings"))
            if f.endswith(".md") and not f.startswith("_")
        )
        append = lambda text, i: text.rstrip("\n") + f"\n\nThe ministry added a note, revision {i}.\n"
        # The middle of the archive: the related lists of the 5,000 newer
        # briefings may draw on it. The newest briefing (file names start
        # with the date): what an editor writing today's briefing saves.
        middle = briefings[len(briefings) // 2]
        body = time_edits(events, middle, append, args.edits, args.settle, idle)
        newest = time_edits(events, briefings[-1], append, args.edits, args.settle, idle)
        donors = [briefings[(i * 997 + 13) % len(briefings)] for i in range(args.edits)]
        paragraph = lambda text, i: text.rstrip("\n") + "\n\n" + first_paragraph(donors[i]) + "\n"
        new_words = time_edits(events, middle, paragraph, args.edits, args.settle, idle)
        new_words_newest = time_edits(events, briefings[-1], paragraph, args.edits, args.settle, idle)
        tmpl = time_edits(
            events, template,
            lambda text, i: text + f"\n<!-- template edit {i} -->\n",
            max(3, args.edits // 2), args.settle, idle)
    finally:
        proc.terminate()
        proc.wait()
        if added_templates:
            shutil.rmtree(os.path.join(site, "templates"))

    def fmt(xs):
        return ", ".join(f"{x:.0f}" for x in xs)

    n = len(briefings)
    print(f"site: {site} ({n} briefings)")
    print("edits: " + ("each once the last rebuild's background work was done"
                       if args.idle else f"{args.settle:g} s after the last reload"))
    if cold is not None:
        print(f"cold full build (no cache):      {cold:8.0f} ms")
    startup_what = "with the disk cache" if had_cache else "no cache"
    print(f"serve startup ({startup_what}):".ljust(33) + f"{startup * 1000:8.0f} ms")
    print(f"body edit -> reload, median:     {statistics.median(body):8.0f} ms   [{fmt(body)}]")
    print(f"  of the newest briefing:        {statistics.median(newest):8.0f} ms   [{fmt(newest)}]")
    print(f"  a new paragraph, middle:       {statistics.median(new_words):8.0f} ms   [{fmt(new_words)}]")
    print(f"  a new paragraph, newest:       {statistics.median(new_words_newest):8.0f} ms   [{fmt(new_words_newest)}]")
    print(f"template edit -> reload, median: {statistics.median(tmpl):8.0f} ms   [{fmt(tmpl)}]")


if __name__ == "__main__":
    sys.exit(main())
