"""Shared by the benchmark scripts: a one-line description of the machine they ran on."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["machine"]


def machine() -> str:
    """CPU model, cores available to this process, RAM, OS and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines()  # noqa: E741
                      if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024**2:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cpu}, {cores} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
