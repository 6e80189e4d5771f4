#!/usr/bin/env bash
# armrr Linux demo (npm run demo:linux): record Debian's Linux booting on virt with a line typed at
# its prompt, replay it under gdb with the kernel's symbols, and go backwards from rrdemo's
# "calibration corrupted" to the store that broke it (scripts/guest/rrdemo.c).
#
# Steps: build (dist/, the guest from scripts/guest/build-guest.sh), record the fast boot (the
# decompressed kernel as a uImage, 256M, shift 7) typing a line through a pipe once the prompt
# shows, start `armrr replay --gdb`, run scripts/demo/linux-session.gdb in gdb-multiarch (batch),
# check that the session ended in fill_samples on the stray store. Exits non-zero if a step
# fails. Set ARMRR_DEMO_KEEP=1 to keep the log and transcript.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
GDB="${GDB:-gdb-multiarch}"
work="$(mktemp -d "${TMPDIR:-/tmp}/armrr-demo-linux.XXXXXX")"
replay_pid=""
record_pid=""

cleanup() {
  for pid in "$record_pid" "$replay_pid"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ "${ARMRR_DEMO_KEEP:-}" == 1 ]]; then echo "demo files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap "exit 130" INT TERM
fail() { echo "demo:linux: FAILED: $*" >&2; exit 1; }
if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
banner() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

command -v "$GDB" >/dev/null || fail "$GDB not found (apt-get install gdb-multiarch)"

banner "1. build"
[[ -f dist/cli/main.js ]] || npx tsc -p .
guest_env="$(bash scripts/guest/build-guest.sh)" || fail "the Debian guest is missing: run scripts/setup.sh"
eval "$guest_env"
echo "kernel: $GUEST_VIRT_UIMAGE"
echo "initrd: $GUEST_INITRD (with /bin/rrdemo: $GUEST_RRDEMO)"
boot=(--machine virt --memory 256M --initrd "$GUEST_INITRD" --append "console=ttyAMA0 cryptomgr.notests"
  --rtc-base 2026-12-01T00:00:00 --icount-shift 7)

banner "2. record the boot; type a line at the prompt: node bin/armrr.js record Image-virt.uimg -o boot.rrlog ${boot[*]} --input -"
mkfifo "$work/typed"
node bin/armrr.js record "$GUEST_VIRT_UIMAGE" -o "$work/boot.rrlog" "${boot[@]}" --input - --no-realtime \
  <"$work/typed" >"$work/record.out" &
record_pid=$!
exec 3>"$work/typed"
tail -f "$work/record.out" --pid "$record_pid" &
tail_pid=$!
until grep -qF 'armrr-guest$ ' "$work/record.out"; do
  kill -0 "$record_pid" 2>/dev/null || fail "the recording ended before the prompt"
  sleep 0.5
done
echo "hello from the demo" >&3
set +e
wait "$record_pid"
rc=$?
set -e
record_pid=""
exec 3>&-
wait "$tail_pid" 2>/dev/null || true
[[ $rc -eq 0 ]] || fail "recording exited with $rc, expected 0 (the guest powers off)"
grep -q "rrdemo: calibration corrupted" "$work/record.out" || fail "rrdemo did not report the corruption"
grep -q "you typed: hello from the demo" "$work/record.out" || fail "the typed line did not reach the guest"

banner "3. replay under gdb: node bin/armrr.js replay Image-virt.uimg boot.rrlog ... --gdb 127.0.0.1:0"
node bin/armrr.js replay "$GUEST_VIRT_UIMAGE" "$work/boot.rrlog" "${boot[@]}" --gdb 127.0.0.1:0 --quiet 2>"$work/replay.err" &
replay_pid=$!
port=""
for _ in $(seq 1 600); do
  port="$(sed -n 's/.*waiting for gdb on [0-9.]*:\([0-9]*\).*/\1/p' "$work/replay.err" | head -n1)"
  [[ -n "$port" ]] && break
  kill -0 "$replay_pid" 2>/dev/null || { cat "$work/replay.err" >&2; fail "armrr replay exited"; }
  sleep 0.1
done
[[ -n "$port" ]] || fail "armrr replay did not start listening"
echo "gdb stub on port $port"

banner "4. gdb session (scripts/demo/linux-session.gdb)"
echo "(gdb) source scripts/gdb/armrr.py"
echo "(gdb) target remote 127.0.0.1:$port"
echo "(gdb) armrr load-symbols $GUEST_VIRT_UIMAGE      # the kernel's own kallsyms: no -dbg package"
echo "(gdb) add-symbol-file $GUEST_RRDEMO"
set +e
timeout 1800 "$GDB" -q -nx -batch -ex "source scripts/gdb/armrr.py" -ex "target remote 127.0.0.1:$port" \
  -ex "armrr load-symbols $GUEST_VIRT_UIMAGE" -ex "add-symbol-file $GUEST_RRDEMO" \
  -x scripts/demo/linux-session.gdb 2>&1 \
  | sed -u -e '/^+echo /d' -e '/^+[a-z]* $/d' -e 's/^+\([^+]\)/(gdb) \1/' | tee "$work/session.out"
gdb_rc=${PIPESTATUS[0]}
set -e
[[ $gdb_rc -eq 0 ]] || fail "gdb exited with status $gdb_rc"

banner "5. check"
out="$work/session.out"
grep -q "runs in ASID [0-9]*" "$out" || fail "armrr process did not find rrdemo"
grep -q "^Breakpoint 1, checksum" "$out" || fail "gdb did not stop at checksum"
grep -q "^Old value = 31684507" "$out" || fail "reverse-continue did not stop on the store of samples[8]"
grep -q "^New value = 1592594996" "$out" || fail "the watch did not see calibration's value 0x5eed1234 before the store"
store_frame="$(grep -E '^#0  (0x[0-9a-f]+ in )?fill_samples \(t=0x[0-9a-f]+ <table>\) at .*rrdemo\.c:[0-9]+$' "$out" | tail -n1)"
[[ -n "$store_frame" ]] || fail "the session did not come back to the store in fill_samples"
grep -q "^No more reverse-execution history" "$out" || fail "continue did not stop at the end of the recording"
last_frame="$(grep -E "^#0 " "$out" | tail -n1)"
grep -Eq '^#0  (0x[0-9a-f]+ in )?checksum \(t=0x[0-9a-f]+ <table>\) at .*rrdemo\.c:[0-9]+$' <<<"$last_frame" \
  || fail "reverse-continue from the end of the recording did not stop in checksum (last frame: $last_frame)"
echo "demo:linux ok: calibration was overwritten by fill_samples writing samples[8] (${store_frame#\#0  }); reverse from the power-off back to checksum works"
