# gdb-multiarch script for bench/run.js: reverse-debugging latency through real gdb, against armrr's
# or QEMU's gdbstub (same commands for both). Driven by environment variables:
#   BENCH_PORT        gdbstub TCP port on 127.0.0.1
#   BENCH_RSTEPS      reverse-stepi repetitions at the end of the replay
#   BENCH_STEPS       forward stepi repetitions (round trips per second)
#   BENCH_BREAK       function for the reverse-continue breakpoint (hit about every 1e8 instructions)
#   BENCH_END         function reached once at the end (stop there: QEMU's replay would let the
#                     program exit, after which nothing can be reversed)
#   BENCH_OUT         file to write one JSON object with the timings (seconds) to
# Sequence: continue from milestone hit to milestone hit until BENCH_END (the last
# span's time is the forward time of ~1e8 instructions), reverse-stepi N times at the end (no
# breakpoints), then reverse-continue back to the last milestone hit, then stepi N times.
import json
import os
import time

import gdb

port = os.environ["BENCH_PORT"]
rsteps = int(os.environ.get("BENCH_RSTEPS", "50"))
steps = int(os.environ.get("BENCH_STEPS", "200"))
brk = os.environ.get("BENCH_BREAK", "milestone")
end_fn = os.environ.get("BENCH_END", "finished")
out = os.environ["BENCH_OUT"]

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote 127.0.0.1:" + port)

def timed(cmd):
    t0 = time.perf_counter()
    gdb.execute(cmd, to_string=True)
    return time.perf_counter() - t0

def pc():
    return int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFF

bp = gdb.Breakpoint(brk)
end_bp = gdb.Breakpoint(end_fn)
spans = []
hits = 0
while end_bp.hit_count == 0:
    spans.append(timed("continue"))
    if bp.hit_count == hits and end_bp.hit_count == 0:
        raise RuntimeError("stopped neither at %s nor at %s" % (brk, end_fn))
    hits = bp.hit_count
end_pc = pc()
bp.enabled = False
end_bp.enabled = False

rstep = []
for _ in range(rsteps):
    rstep.append(timed("reverse-stepi"))

bp.enabled = True
rcont = timed("reverse-continue")
at_break = pc() == int(gdb.parse_and_eval("(unsigned int)&" + brk)) & 0xFFFFFFFE
bp.enabled = False

t0 = time.perf_counter()
for _ in range(steps):
    gdb.execute("stepi", to_string=True)
    gdb.execute("info registers pc", to_string=True)
step_secs = time.perf_counter() - t0

with open(out, "w") as f:
    json.dump(
        {
            "hits": hits,
            "spans": spans,
            "reverse_stepi": rstep,
            "reverse_continue": rcont,
            "reverse_continue_at_break": at_break,
            "stepi_round_trips_per_s": steps / step_secs,
            "end_pc": end_pc,
        },
        f,
    )
gdb.execute("kill")
