#!/usr/bin/env bash
# check-report.sh — load a dmaemu report page in headless Chromium and fail if it does not render cleanly.
#
# Usage:
#   scripts/check-report.sh FILE.html [SCREENSHOT.png]
#
#   FILE.html       the page to check, e.g. run-dir/report.html or device-nodes/target/sample-report.html
#   SCREENSHOT.png  optional: also write a screenshot of the page's top, REPORT_WINDOW pixels large
#
# Environment:
#   CHROMIUM        the browser binary (default /usr/bin/chromium; Debian package "chromium")
#   REPORT_WINDOW   window size for the screenshot, WIDTHxHEIGHT or WIDTH,HEIGHT (default 1280,4000)
#   REPORT_TIMEOUT  seconds to wait for Chromium (default 60)
#
# Exit status: 0 the page passed; 1 it failed a check; 2 bad usage or no browser.
#
# What fails a page:
#   - Chromium cannot load it, times out, or dumps a DOM without a <body>;
#   - the rendered DOM holds fewer <svg> elements than the file (the charts did not all render);
#   - Chromium logs any console message ("Uncaught …", console.error, …). A report has no scripts, so any
#     console message means something is wrong. Chromium 150 writes them to stderr as
#     '[...:INFO:CONSOLE:1] "Uncaught ReferenceError: …", source: file:///… (1)'; older ones as 'CONSOLE(1)';
#   - the file is not self-contained: a <script> element, a src= attribute, a <link> element, or an
#     http(s) URL other than the SVG namespace http://www.w3.org/2000/svg.
#
# Example:
#   mvn -B -o -q -pl device-nodes -am verify -Dtest=ReportSampleTest -Dsurefire.failIfNoSpecifiedTests=false
#   scripts/check-report.sh device-nodes/target/sample-report.html /tmp/sample.png
set -uo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
  exit 2
fi
page=$1
shot=${2:-}
chromium=${CHROMIUM:-/usr/bin/chromium}
window=${REPORT_WINDOW:-1280,4000}
window=${window/x/,}
wait=${REPORT_TIMEOUT:-60}

if [[ ! -r $page ]]; then
  echo "check-report: cannot read $page" >&2
  exit 2
fi
if [[ ! -x $chromium ]]; then
  echo "check-report: no browser at $chromium (apt-get install -y chromium, or set CHROMIUM)" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url="file://$(realpath "$page")"
# Root in a container with no network: no sandbox, no GPU, nothing that phones home.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --hide-scrollbars)

failed=0
fail() {
  echo "check-report: FAIL: $*" >&2
  failed=1
}

# Self-contained: nothing the page could fetch, nothing it could run.
external=$(grep -o -i -E '<script|<link[ >]|src=|https?://[^"'"'"' <>)]*' "$page" | grep -v -x 'http://www.w3.org/2000/svg' | sort | uniq -c)
if [[ -n $external ]]; then
  fail "the page is not self-contained:"$'\n'"$external"
fi

timeout "$wait" "$chromium" "${flags[@]}" --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
  --dump-dom "$url" >"$work/dom.html" 2>"$work/stderr.log"
status=$?
if [[ $status -ne 0 ]]; then
  fail "chromium exited with status $status while loading $url"
  tail -n 20 "$work/stderr.log" >&2
fi
if ! grep -q -i '<body' "$work/dom.html"; then
  fail "the rendered DOM has no <body>"
fi
expected=$(grep -o -i '<svg[ >]' "$page" | wc -l)
rendered=$(grep -o -i '<svg[ >]' "$work/dom.html" | wc -l)
if [[ $rendered -lt $expected ]]; then
  fail "the file has $expected <svg> elements, the rendered DOM $rendered"
fi
console=$(grep -E 'CONSOLE[:(]|Uncaught' "$work/stderr.log")
if [[ -n $console ]]; then
  fail "console messages:"$'\n'"$console"
fi

if [[ -n $shot ]]; then
  rm -f "$shot"
  timeout "$wait" "$chromium" "${flags[@]}" --user-data-dir="$work/profile-shot" --window-size="$window" \
    --screenshot="$(realpath -m "$shot")" "$url" >"$work/shot.log" 2>&1
  if [[ ! -s $shot ]]; then
    fail "no screenshot written to $shot"
    tail -n 20 "$work/shot.log" >&2
  fi
fi

if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "check-report: OK: $page rendered, $rendered svg elements, no console messages${shot:+, screenshot $shot}"
