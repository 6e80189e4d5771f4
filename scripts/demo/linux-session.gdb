# The armrr Linux demo session (run by scripts/demo-linux.sh, which connects gdb to
# `armrr replay --gdb` of the recorded boot and loads the kernel's and rrdemo's symbols first).
# rrdemo printed "calibration corrupted" during the boot. Find the store that did it, backwards.

set pagination off
set confirm off
set trace-commands on

echo \n# Run to rrdemo's exec: a breakpoint on the kernel's sys_execve for "/bin/rrdemo", then on\n
echo # rrdemo's first instruction. Its ASID becomes the process filter: rrdemo's breakpoints and\n
echo # watchpoints stop only in rrdemo, not in the busybox processes that run the same addresses.\n
armrr process /bin/rrdemo

echo \n# Run to checksum(), which reads the damaged key.\n
break checksum
continue
print/x table
print/x table.calibration

echo \n# calibration should be 0x5eed1234. Watch it and run backwards to the last store to it.\n
watch table.calibration
reverse-continue

echo \n# Found it: fill_samples writes samples[8], one past the end of samples[8], onto calibration.\n
echo # (Going backwards, gdb's "Old value" is the value after the store.)\n
bt
print i
x/i $pc
armrr when

echo \n# The kernel at that moment: the timers it programmed and the log events around here.\n
armrr timers
armrr events 4

echo \n# Execute the guilty store forwards, then step back onto it.\n
stepi
print/x table.calibration
reverse-stepi
print/x table.calibration
frame

echo \n# Run on to the end of the recording: the guest powers off (PSCI SYSTEM_OFF) and the replay\n
echo # stops there, a stop like any other ("No more reverse-execution history").\n
delete
continue
armrr when
echo \n# Backwards from the end: one instruction, then back to rrdemo's last checksum() call.\n
reverse-stepi
x/i $pc
break checksum
reverse-continue
frame
