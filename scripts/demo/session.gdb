# The armrr demo session (run by scripts/demo.sh, which connects gdb to `armrr replay --gdb` first).
# demo.elf reported a corrupted line. Find out who wrote the bad byte by running backwards.
# Commands are echoed as "(gdb) ..." (trace-commands); `echo` lines are the narration.

set pagination off
set confirm off
source scripts/gdb/armrr.py
set trace-commands on

echo \n# Run to where the firmware reports the damaged line.\n
break report_corruption
continue
print line
print len
print offset
armrr when

echo \n# line[offset] should hold a byte of the input, but it is '\\0'. Watch it and run backwards\n
echo # to the last instruction that wrote it.\n
set $bad = offset
delete 1
watch -location line[$bad]
reverse-continue

echo \n# Found it: a store inside the timer interrupt handler. (Going backwards, gdb's "Old value"\n
echo # is the value after the store.) main was interrupted between "line[len] = c" and "len + 1".\n
bt
x/i $pc
print len
armrr when
armrr timers
armrr events 6

echo \n# Execute the guilty store forwards to see it replace the byte, then step back onto it.\n
stepi
print line[$bad]
reverse-stepi
print line[$bad]
frame
