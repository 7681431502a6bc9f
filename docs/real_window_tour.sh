#!/bin/bash
# A real-window flow on the demo: Xvfb + openbox, keys and clicks with xdotool, screens with import.
# Usage: docs/real_window_tour.sh VENV OUTDIR  (needs xvfb, openbox, xdotool, imagemagick)
# Shots: first launch, consent review, Enter on it (changes nothing), applying, Esc, done, main window after;
# then SIGTERM: the exit status and whether the demo left a folder or a process behind.
set -u
VENV=$1; OUT=$2; mkdir -p "$OUT"
export DISPLAY=:77
Xvfb :77 -screen 0 1400x900x24 >/dev/null 2>&1 & XPID=$!
sleep 1; openbox >/dev/null 2>&1 & WMPID=$!; sleep 1
export XDG_CONFIG_HOME=$(mktemp -d) XDG_STATE_HOME=$(mktemp -d) QT_QPA_PLATFORM=xcb
shot() { sleep "${2:-1}"; import -window root "$OUT/$1.png"; echo "shot $1"; }
key() { xdotool key --clearmodifiers "$@"; }
before=$(ls -d ${TMPDIR:-/tmp}/appsmith-panel-demo-* 2>/dev/null | wc -l)
"$VENV/bin/appsmith-telemetry-panel" --demo > "$OUT/app.log" 2>&1 & APP=$!
for i in $(seq 60); do xdotool search --name "Appsmith" >/dev/null 2>&1 && break; sleep 0.5; done
shot 01-first-launch 4
# the wizard may be first: close it (Esc) to see the main window
WIZ=$(xdotool search --name "wizard\|Wizard\|Welcome" 2>/dev/null | head -1)
if [ -n "$WIZ" ]; then key Escape; shot 02-after-wizard-cancel 2; fi
shot 03-main 8
key ctrl+shift+d; shot 04-consent-disable 4
key Return; shot 05-enter-on-consent 2
# press the Apply button through its mnemonic
key alt+r; shot 06-applying 3
key Escape; shot 07-cancel-question 1
key Return; shot 08-kept-waiting 12
shot 09-apply-done 10
key Escape; shot 10-main-after 6
kill -TERM $APP; sleep 3
if kill -0 $APP 2>/dev/null; then echo "app still running after SIGTERM"; else wait $APP; echo "app exit $?"; fi
after=$(ls -d ${TMPDIR:-/tmp}/appsmith-panel-demo-* 2>/dev/null | wc -l)
echo "demo folders before $before after $after"
pgrep -af simulated || echo "no simulated processes left"
kill $WMPID $XPID 2>/dev/null
