#!/usr/bin/env bash
# armrr demo (npm run demo): record a firmware that corrupts its input line only for some timings,
# replay it under gdb, and go backwards from the corruption to the guilty store in the timer ISR.
#
# Steps: build (dist/ and firmware/build/demo.elf), record with scripted UART input, start
# `armrr replay --gdb` in the background, run scripts/demo/session.gdb in gdb-multiarch (batch),
# check that the session ended inside TIMER0_Handler on the store to line[]. Exits non-zero if any
# step fails. Set ARMRR_DEMO_KEEP=1 to keep the log and transcript.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
GDB="${GDB:-gdb-multiarch}"
elf=firmware/build/demo.elf
work="$(mktemp -d "${TMPDIR:-/tmp}/armrr-demo.XXXXXX")"
replay_pid=""

cleanup() {
  if [[ -n "$replay_pid" ]] && kill -0 "$replay_pid" 2>/dev/null; then
    kill "$replay_pid" 2>/dev/null || true
    wait "$replay_pid" 2>/dev/null || true
  fi
  if [[ "${ARMRR_DEMO_KEEP:-}" == 1 ]]; then echo "demo files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap "exit 130" INT TERM
fail() { echo "demo: FAILED: $*" >&2; exit 1; }
if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
banner() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

command -v "$GDB" >/dev/null || fail "$GDB not found (apt-get install gdb-multiarch)"

banner "1. build"
[[ -f dist/cli/main.js ]] || npx tsc -p .
bash firmware/demo/build.sh
echo "firmware: $elf"

banner "2. record: node bin/armrr.js record $elf -o demo.log --input scripts/demo/input.txt --icount-shift 5"
set +e
node bin/armrr.js record "$elf" -o "$work/demo.log" --input scripts/demo/input.txt --icount-shift 5 \
  --no-realtime | tee "$work/record.out"
rc=${PIPESTATUS[0]}
set -e
# The firmware exits with status 1 via semihosting when it detects the corruption.
[[ $rc -eq 1 ]] || fail "recording exited with $rc, expected the firmware's exit status 1"
grep -q "ERROR: line .* is corrupted" "$work/record.out" || fail "the firmware did not report a corrupted line"

banner "3. replay under gdb: node bin/armrr.js replay $elf demo.log --gdb 127.0.0.1:0"
node bin/armrr.js replay "$elf" "$work/demo.log" --gdb 127.0.0.1:0 --quiet 2>"$work/replay.err" &
replay_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/.*waiting for gdb on [0-9.]*:\([0-9]*\).*/\1/p' "$work/replay.err" | head -n1)"
  [[ -n "$port" ]] && break
  kill -0 "$replay_pid" 2>/dev/null || { cat "$work/replay.err" >&2; fail "armrr replay exited"; }
  sleep 0.1
done
[[ -n "$port" ]] || fail "armrr replay did not start listening"
echo "gdb stub on port $port"

banner "4. gdb session (scripts/demo/session.gdb)"
# trace-commands echoes each command as "+cmd": show it as a prompt, hide the `echo` commands
# (their text is shown) and the "+continue " / "+stepi " gdb runs internally for reverse-*.
set +e
timeout 50 "$GDB" -q -nx -batch -ex "target remote 127.0.0.1:$port" -x scripts/demo/session.gdb "$elf" 2>&1 \
  | sed -u -e '/^+echo /d' -e '/^+[a-z]* $/d' -e 's/^+\([^+]\)/(gdb) \1/' | tee "$work/session.out"
gdb_rc=${PIPESTATUS[0]}
set -e
[[ $gdb_rc -eq 0 ]] || fail "gdb exited with status $gdb_rc"

banner "5. check"
out="$work/session.out"
grep -q "^Breakpoint 1, report_corruption" "$out" || fail "gdb did not stop at report_corruption"
grep -q "watchpoint .*line\[\$bad\]" "$out" || fail "the watchpoint on the corrupted byte was not set"
grep -q "^Old value = " "$out" || fail "reverse-continue did not stop on the watchpoint"
frame0='^#0  (0x[0-9a-f]+ in )?TIMER0_Handler \(\) at .*demo\.c:[0-9]+$'
grep -A1 "^(gdb) bt" "$out" | grep -Eq "$frame0" || fail "the backtrace does not start in TIMER0_Handler"
last_frame="$(grep "^#0 " "$out" | tail -n1)"
grep -Eq "$frame0" <<<"$last_frame" || fail "the session did not end inside TIMER0_Handler (last frame: $last_frame)"
tail -n 3 "$out" | grep -q "line\[len\] = '\\\\0';" || fail "the session did not end on the store 'line[len] = '\\0''"
echo "demo ok: the byte was overwritten by TIMER0_Handler (${last_frame#\#0  })"
