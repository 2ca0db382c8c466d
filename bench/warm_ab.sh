#!/usr/bin/env bash
# Alternating warm builds of two binaries on copies of one built site:
#
#   bench/warm_ab.sh RUNS BINARY_A BINARY_B SITE [WORKDIR]
#
# SITE is a site directory (content/, site.toml), e.g. one bench/gen_site.py
# made. Each binary gets its own copy under WORKDIR (default
# /tmp/briefing-warm-ab), built once cold and once warm first, so that its
# caches are its own (another binary's render code voids the page manifest).
# Then, RUNS times, each binary in turn rebuilds its copy after a line is
# appended to the oldest briefing, as run_builds.py's warm runs do. Prints
# the median wall time, CPU time (user + system) and peak RSS of each. On a
# shared machine the two medians of one sitting compare; numbers of
# different sittings often do not.
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n 2,13p "$0"
  exit 2
fi
runs=$1 a=$2 b=$3 site=$4 work=${5:-/tmp/briefing-warm-ab}
mkdir -p "$work"
for tag in a b; do
  if [ ! -d "$work/$tag" ]; then
    mkdir -p "$work/$tag"
    cp -r "$site/content" "$site/site.toml" "$work/$tag/"
  fi
done

# build TAG BINARY: appends a line to the oldest briefing, builds, prints
# "wall user system maxrss_kb".
build() {
  local dir=$work/$1 oldest
  # sed, not head: head closes the pipe early, and with pipefail the
  # SIGPIPE of a long listing would end the script.
  oldest=$(ls "$dir"/content/briefings/2*.md | sort | sed -n 1p)
  printf '\nA line added for an A/B run %s.\n' "$RANDOM" >> "$oldest"
  /usr/bin/time -f "%e %U %S %M" "$2" build --root "$dir" -q 2>&1 | tail -1
}

for tag in a b; do
  bin=$a
  [ "$tag" = b ] && bin=$b
  "$bin" build --root "$work/$tag" -q
  build "$tag" "$bin" > /dev/null
done
results_a=() results_b=()
for _ in $(seq "$runs"); do
  results_a+=("$(build a "$a")")
  results_b+=("$(build b "$b")")
done
report() {
  python3 -c '
import statistics as s, sys
name = sys.argv[1]
rows = [list(map(float, r.split())) for r in sys.argv[2:]]
print(f"{name}: wall {s.median(r[0] for r in rows):.3f} s, "
      f"CPU {s.median(r[1] + r[2] for r in rows):.2f} s, "
      f"peak RSS {s.median(r[3] for r in rows) / 1024:.0f} MiB; "
      "walls " + " ".join(f"{r[0]:.2f}" for r in rows))
' "$@"
}
report "A $a" "${results_a[@]}"
report "B $b" "${results_b[@]}"
