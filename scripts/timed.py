#!/usr/bin/env python3
"""Runs a command once, its output discarded, and prints on one line its
wall time in seconds (from just before it is started to just after it has
exited, as seen by this process), its peak resident memory in KiB, its
processor time in user space and in the kernel in seconds, and its exit
code. Used by perf-table.sh in place of `date` and `/usr/bin/time`, whose
own starting would otherwise count in the command's time (3-5 ms, a third
of `check` on 1,000 requirements)."""
import os
import subprocess
import sys
import time

start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
print(f"{wall:.4f} {usage.ru_maxrss} {usage.ru_utime:.2f} {usage.ru_stime:.2f} {os.waitstatus_to_exitcode(status)}")
