"""gdb helpers for armrr replay sessions: time, timers, log events and seeking.

Load it in gdb (or from ~/.gdbinit):

    source /path/to/armrr/scripts/gdb/armrr.py

then connect to `armrr replay ELF LOG --gdb PORT` and use:

    armrr timers            clocks and pending device timers (like QEMU's `qemu timers`)
    armrr info              icount, virtual time, log file, event index and offset, snapshots
    armrr events [N]        the N log events around the current position, current one marked
    armrr when              current icount and the next log event (like rr's `when`)
    armrr goto ICOUNT|+N|-N seek to an exact instruction count and refresh gdb's view
    armrr snapshots         snapshots the stub holds
    armrr load-symbols FILE kernel symbols from the kernel image (uImage, zImage, Image) or a
                            System.map / /proc/kallsyms text: `break kernel_clone`, `info symbol`
    armrr process-filter [asid=N|contextidr=N|current|off]
                            user-space break/watchpoints stop only in one process
    armrr process PATH [ENTRY]
                            run to the exec of PATH (kernel symbols needed), then to its first
                            instruction ENTRY (default _start), and filter on that process

Each command takes `--json` to print the stub's raw JSON instead of a table. `$_icount()` returns
the current instruction count, e.g. `print $_icount()` or `break foo if $_icount() > 100000`.

Every command runs `monitor <cmd> --json` on the stub (src/gdbstub/replay-monitor.ts) and formats
the JSON it answers.
"""

import hashlib
import json
import os
import sys
import tempfile

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_symbols  # noqa: E402  (next to this file)


# ---- talking to the stub ------------------------------------------------------------------------

NOT_ARMRR = (
    "armrr: not connected to an armrr replay stub. Start one with\n"
    "  armrr replay FIRMWARE.elf LOG --gdb 1234\n"
    "and connect with: target remote :1234"
)


def _connected():
    """True when the selected inferior talks to a remote target."""
    inferior = gdb.selected_inferior()
    connection = getattr(inferior, "connection", None)  # gdb >= 11
    if connection is not None:
        return connection.type in ("remote", "extended-remote") and inferior.pid != 0
    return inferior.pid != 0


def monitor_json(command):
    """Runs `monitor COMMAND --json` and returns the decoded JSON object.

    Raises gdb.GdbError with a readable message when gdb is not connected to an armrr replay stub,
    or when the stub answers with text (usage errors, out-of-range seeks) instead of JSON.
    """
    if not _connected():
        raise gdb.GdbError(NOT_ARMRR)
    try:
        text = gdb.execute("monitor %s --json" % command, to_string=True)
    except gdb.error as e:
        raise gdb.GdbError("%s\n(gdb said: %s)" % (NOT_ARMRR, e))
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                break
    text = text.strip()
    if not text or "not supported" in text or "unknown" in text.lower():
        raise gdb.GdbError("%s\n(the stub answered %r to 'monitor %s')" % (NOT_ARMRR, text, command))
    raise gdb.GdbError("armrr: %s" % text)


def refresh_view():
    """After a time jump behind gdb's back: drop gdb's caches and show where we are (as rr does)."""
    gdb.execute("maintenance flush register-cache", to_string=True)
    gdb.execute("frame")


def _split_json_flag(arg):
    words = gdb.string_to_argv(arg)
    return [w for w in words if w != "--json"], "--json" in words


def _print_json(obj):
    gdb.write(json.dumps(obj) + "\n")


# ---- formatting ---------------------------------------------------------------------------------

def fmt_ns(ns):
    """Nanoseconds with a readable unit, like QEMU's timers.py: 1500000 -> '1.50 ms'."""
    if ns is None:
        return "-"
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "us")):
        if abs(ns) >= scale:
            return "%.2f %s" % (ns / scale, unit)
    return "%d ns" % ns


def timer_owner(timer):
    """A human name for the device that owns a timer, from its stable id."""
    tid = str(timer.get("id", ""))
    if tid == "systick":
        return "SysTick"
    if tid.startswith("timer"):
        return "CMSDK " + tid
    if tid.startswith("dualtimer."):
        return "dual timer " + tid.split(".", 1)[1]
    if tid == "watchdog":
        return "watchdog"
    return str(timer.get("owner", tid))


def _field(timer, *names):
    for name in names:
        if name in timer:
            return timer[name]
    return None


def timer_period_ns(timer):
    """Full period in ns: SysTick reports it; CMSDK ptimers report the tick, and with QEMU's
    WRAP_AFTER_ONE_PERIOD policy a period is reload + 1 ticks."""
    if "period_ns" in timer:
        return timer["period_ns"]
    tick, reload = timer.get("periodNs"), timer.get("reload")
    if tick is None or reload is None:
        return None
    return (reload + 1) * tick


def timer_irq_enabled(timer):
    return _field(timer, "interruptEnabled", "interrupt_enabled")


def _yes_no(value):
    return "-" if value is None else ("yes" if value else "no")


def generic_timer_state(g):
    if not g["enabled"]:
        return "disabled"
    return ("enabled, masked" if g["masked"] else "enabled") + (", ISTATUS" if g["istatus"] else "")


def generic_timer_left(g):
    if g["leftNs"] is None:
        return "never"
    if g["leftNs"] <= 0:
        return "due %s ago" % fmt_ns(-g["leftNs"])
    return fmt_ns(g["leftNs"])


def format_table(headers, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in [headers] + rows]
    return "\n".join(lines) + "\n"


# ---- commands -----------------------------------------------------------------------------------

class ArmrrPrefix(gdb.Command):
    """armrr replay helpers: timers, info, events, when, goto, snapshots (add --json for raw JSON)."""

    def __init__(self):
        super().__init__("armrr", gdb.COMMAND_USER, gdb.COMPLETE_COMMAND, True)


class MonitorCommand(gdb.Command):
    """An `armrr` subcommand backed by one `monitor ... --json` command.

Subclasses set NAME, build the monitor command from the words (`monitor_command`) and render the
JSON for humans (`render`); with --json the JSON is printed as it came."""

    NAME = ""

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def monitor_command(self, words):
        raise NotImplementedError

    def after(self, obj):
        """Runs after the monitor command, --json or not (e.g. to refresh gdb's caches)."""

    def render(self, obj):
        raise NotImplementedError

    def invoke(self, arg, from_tty):
        words, as_json = _split_json_flag(arg)
        obj = monitor_json(self.monitor_command(words))
        self.after(obj)
        if as_json:
            _print_json(obj)
        else:
            self.render(obj)


class ArmrrTimers(MonitorCommand):
    """Clocks and pending device timers, like QEMU's `qemu timers`.

Usage: armrr timers [--json]
For each pending timer: owner device, absolute expiry (ns and icount), time left, reload value,
full period, and whether its interrupt is enabled."""

    NAME = "armrr timers"

    def monitor_command(self, words):
        return "timers"

    def render(self, obj):
        out = []
        for clock in obj.get("clocks", []):
            name = "QEMU_CLOCK_" + clock["name"].upper()
            if clock.get("enabled"):
                out.append("clock %-20s enabled   %s ns (%s), icount %s, shift %s\n" % (
                    name, clock["ns"], fmt_ns(clock["ns"]), clock.get("icount"), clock.get("shift")))
            else:
                out.append("clock %-20s disabled  (%s)\n" % (name, clock.get("note", "")))
        timers = obj.get("timers", [])
        if not timers:
            out.append("no pending timers\n")
        else:
            rows = []
            for t in sorted(timers, key=lambda t: t["expiryNs"]):
                extra = [str(t[k]) for k in ("mode", "clock") if k in t]
                if t.get("resetEnabled"):
                    extra.append("reset")
                period = timer_period_ns(t)
                rows.append([
                    timer_owner(t),
                    str(t["expiryNs"]),
                    str(t["expiryIcount"]),
                    fmt_ns(t["leftNs"]),
                    "-" if t.get("reload") is None else str(t["reload"]),
                    fmt_ns(period),
                    _yes_no(timer_irq_enabled(t)),
                    " ".join(extra),
                ])
            out.append("pending timers (%d):\n" % len(rows))
            out.append(format_table(
                ["  owner", "expires(ns)", "expires(icount)", "left", "reload", "period", "irq", ""],
                [["  " + r[0]] + r[1:] for r in rows]))
        generic = obj.get("genericTimers", [])
        if generic:
            out.append("generic timers (as the guest programmed them):\n")
            out.append(format_table(
                ["  timer", "CTL", "state", "CVAL", "counter", "fires at", "left"],
                [["  %s (%s)" % (g["register"], g["timer"]), "0x%x" % g["ctl"], generic_timer_state(g),
                  g["cvalHex"], str(g["counter"]), "-" if g["fireNs"] is None else "%d ns" % g["fireNs"],
                  generic_timer_left(g)] for g in generic]))
        gdb.write("".join(out))


class ArmrrInfo(MonitorCommand):
    """Where we are in the recording: icount, virtual time, log file, next event, snapshots.

Usage: armrr info [--json]"""

    NAME = "armrr info"

    def monitor_command(self, words):
        return "info replay"

    def render(self, obj):
        event = obj.get("event")
        gdb.write(
            "log:          %s\n"
            "icount:       %d of %d\n"
            "virtual time: %d ns (%s)\n"
            "next event:   %s (%d events)\n"
            "snapshots:    %d (%.1f MiB); nearest before: %s, after: %s\n" % (
                obj["log"], obj["icount"], obj["endIcount"], obj["virtualNs"], fmt_ns(obj["virtualNs"]),
                "#%d at byte offset %d" % (event["index"], event["offset"]) if event else "none (end of log)",
                obj["events"], obj["snapshots"], obj["snapshotBytes"] / 1048576.0,
                _or_dash(obj.get("snapshotBefore")), _or_dash(obj.get("snapshotAfter"))))


def _or_dash(value):
    return "-" if value is None else str(value)


class ArmrrEvents(MonitorCommand):
    """The log events around the current position; `=>` marks the next event to happen.

Usage: armrr events [N] [--json]   (N defaults to 10)"""

    NAME = "armrr events"

    def monitor_command(self, words):
        if words and (not words[0].isdigit() or int(words[0]) < 1):
            raise gdb.GdbError("usage: armrr events [N] [--json]")
        return "events" + (" " + words[0] if words else "")

    def render(self, obj):
        rows = [["=>" if e.get("current") else "", str(e["index"]), str(e["icount"]), "@%d" % e["offset"], e["name"]]
                for e in obj.get("events", [])]
        if not rows:
            gdb.write("no events\n")
            return
        gdb.write("current icount %d\n" % obj["icount"])
        gdb.write(format_table(["", "event", "icount", "offset", "name"], rows))


class ArmrrWhen(MonitorCommand):
    """The current instruction count and the next log event, like rr's `when`.

Usage: armrr when [--json]"""

    NAME = "armrr when"

    def monitor_command(self, words):
        return "when"

    def render(self, obj):
        nxt = obj.get("nextEvent")
        gdb.write("Current icount: %d\n" % obj["icount"])
        if nxt:
            gdb.write("Next event: %d (%s at icount %d)\n" % (nxt["index"], nxt["name"], nxt["icount"]))
        else:
            gdb.write("Next event: none (end of log)\n")


class ArmrrGoto(MonitorCommand):
    """Seek to an exact instruction count, then refresh gdb's registers and frame.

Usage: armrr goto ICOUNT | +N | -N [--json]
ICOUNT is absolute; +N / -N move relative to the current icount. Breakpoints are not checked
on the way (use continue / reverse-continue for that)."""

    NAME = "armrr goto"

    def monitor_command(self, words):
        if len(words) != 1 or not words[0].lstrip("+-").isdigit():
            raise gdb.GdbError("usage: armrr goto ICOUNT|+N|-N [--json]")
        return "seek " + words[0]

    def after(self, obj):
        gdb.execute("maintenance flush register-cache", to_string=True)

    def render(self, obj):
        gdb.write("icount %d\n" % obj["icount"])
        refresh_view()


class ArmrrSnapshots(MonitorCommand):
    """Snapshots the replay stub holds in memory.

Usage: armrr snapshots [--json]"""

    NAME = "armrr snapshots"

    def monitor_command(self, words):
        return "snapshots"

    def render(self, obj):
        rows = [[str(s["icount"]), str(s["pages"])] for s in obj.get("snapshots", [])]
        gdb.write(format_table(["icount", "pages"], rows) if rows else "no snapshots\n")
        gdb.write("%d snapshots, %.2f MiB\n" % (len(rows), obj.get("bytes", 0) / 1048576.0))


class IcountFunction(gdb.Function):
    """$_icount() - the replay's current instruction count (an integer)."""

    def __init__(self):
        super().__init__("_icount")

    def invoke(self):
        return int(monitor_json("icount")["icount"])


class ArmrrLoadSymbols(gdb.Command):
    """Load kernel symbols without the -dbg package.

Usage: armrr load-symbols FILE
FILE: the guest's kernel image (a uImage, a zImage with an XZ payload, or a raw Image: symbols
come from its kallsyms tables, plus the data it exports to modules such as jiffies), or a
System.map / /proc/kallsyms text. The symbols go into a small symbol-only ELF (cached) loaded with
add-symbol-file: then `break kernel_clone`, `info symbol $pc`, `x/8i sys_execve`, names in `bt`.
Data has no type without debug info: `watch *(unsigned long *)&jiffies`, `p (long)jiffies`."""

    def __init__(self):
        super().__init__("armrr load-symbols", gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if len(words) != 1:
            raise gdb.GdbError("usage: armrr load-symbols FILE (a kernel image, System.map or /proc/kallsyms text)")
        elf = kernel_symbols_elf(os.path.expanduser(words[0]))
        gdb.execute("add-symbol-file %s" % elf, from_tty=False, to_string=True)
        gdb.write("armrr: kernel symbols from %s loaded (%s)\n" % (words[0], elf))


def kernel_symbols_elf(path):
    """The symbol-only ELF for kernel image/map `path`, built once and cached by path, size and mtime."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise gdb.GdbError("armrr load-symbols: cannot read %s: %s" % (path, e.strerror))
    key = hashlib.sha1(("%s|%d|%d|1" % (os.path.abspath(path), st.st_size, int(st.st_mtime))).encode()).hexdigest()[:16]
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(tempfile.gettempdir(), "armrr-cache"), "kernel-symbols")
    os.makedirs(cache, exist_ok=True)
    elf = os.path.join(cache, "%s-%s.elf" % (os.path.basename(path), key))
    if not os.path.exists(elf):
        try:
            symbols = kernel_symbols.load_symbols(path)
        except kernel_symbols.KernelSymbolError as e:
            raise gdb.GdbError("armrr load-symbols: %s: %s" % (path, e))
        tmp = elf + ".%d.tmp" % os.getpid()
        kernel_symbols.write_symbol_elf(symbols, tmp)
        os.replace(tmp, elf)
    return elf


class ArmrrProcessFilter(MonitorCommand):
    """User-space break/watchpoints stop only in one process (one ASID).

Usage: armrr process-filter [asid=N | contextidr=N | current | off] [--json]
Addresses the MMU maps non-global (user space on Linux) stop only while that address space is
current; kernel addresses stop in every process. No argument: show the filter and the current ASID."""

    NAME = "armrr process-filter"

    def monitor_command(self, words):
        return "process-filter" + ("".join(" " + w for w in words))

    def render(self, obj):
        f = obj.get("filter")
        if f is None:
            gdb.write("no process filter (now: ASID %d, CONTEXTIDR 0x%x)\n" % (obj["asid"], obj["contextidr"]))
        elif f["kind"] == "asid":
            gdb.write("user-space stops only in ASID %d (now: ASID %d)\n" % (f["asid"], obj["asid"]))
        else:
            gdb.write("user-space stops only with CONTEXTIDR 0x%x (now: 0x%x)\n" % (f["contextidr"], obj["contextidr"]))


class ArmrrProcess(gdb.Command):
    """Run to a program's exec and filter on its process.

Usage: armrr process PATH [ENTRY]
Needs the kernel symbols (armrr load-symbols) and the program's symbols (add-symbol-file PROGRAM).
Continues to the kernel's sys_execve of PATH (the string in r0), then to ENTRY (default _start,
the program's first instruction: nothing else runs user code there while its shell waits), then
sets `monitor process-filter current`: the program's breakpoints and watchpoints stop only in it."""

    def __init__(self):
        super().__init__("armrr process", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if len(words) not in (1, 2):
            raise gdb.GdbError("usage: armrr process PATH [ENTRY]")
        path, entry = words[0], (words[1] if len(words) == 2 else "_start")
        for needed, hint in (("sys_execve", "armrr load-symbols KERNEL-IMAGE"), (entry, "add-symbol-file PROGRAM")):
            try:
                gdb.parse_and_eval("(unsigned long)&%s" % needed)
            except gdb.error:
                raise gdb.GdbError("armrr process: no symbol '%s': load it first (%s)" % (needed, hint))
        monitor_json("process-filter off")
        bp = gdb.Breakpoint("*(unsigned long)&sys_execve", internal=True, temporary=False)
        try:
            bp.condition = '$_streq((char *)$r0, "%s")' % path.replace('"', '\\"')
            gdb.execute("continue", to_string=True)
            if not _stopped_at("sys_execve"):
                raise gdb.GdbError("armrr process: the replay never execs %s" % path)
        finally:
            bp.delete()
        entry_bp = gdb.Breakpoint("*(unsigned long)&%s" % entry, internal=True, temporary=False)
        try:
            gdb.execute("continue", to_string=True)
            if not _stopped_at(entry):
                raise gdb.GdbError("armrr process: %s never reached %s after its exec" % (path, entry))
        finally:
            entry_bp.delete()
        obj = monitor_json("process-filter current")
        gdb.write("armrr: %s runs in ASID %d (CONTEXTIDR 0x%x); its user-space break/watchpoints now stop only there\n"
                  % (path, obj["asid"], obj["contextidr"]))
        gdb.execute("frame")


def _stopped_at(symbol):
    try:
        pc = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFF
        return pc == int(gdb.parse_and_eval("(unsigned long)&%s" % symbol)) & 0xFFFFFFFE
    except gdb.error:
        return False


ArmrrPrefix()
ArmrrTimers()
ArmrrInfo()
ArmrrEvents()
ArmrrWhen()
ArmrrGoto()
ArmrrSnapshots()
ArmrrLoadSymbols()
ArmrrProcessFilter()
ArmrrProcess()
IcountFunction()
