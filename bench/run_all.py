"""Run every bench script in this folder (each prints its own numbers). `make bench`."""

import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
status = 0
for script in sorted(here.glob("*_bench.py")):
    print(f"\n=== {script.name} ===", flush=True)
    status |= subprocess.call([sys.executable, str(script)], cwd=here)
sys.exit(status)
