"""The real-target compile gate and the CUDA resource table, without a GPU.

``minigrad bench --device cuda --resources`` (and ``tests/test_cuda_compile.py``):

1. drive the public API on a fake GPU (:mod:`minigrad.bench.cuda_drive` over
   :mod:`minigrad.testing.fake_gpu`), so that every kernel specialisation minigrad
   launches is typed and compiled by the real numba-cuda target (NVVM), as on a GPU;
2. for each specialisation, generate its PTX for each compute capability asked
   (8.0 and 9.0) and assemble it with ``ptxas -arch=sm_XX -v``, which reports
   registers, spill stores and loads, stack and static shared memory;
3. with the launch shapes seen (threads per block, dynamic shared memory), estimate
   resident blocks per SM on an H100/H200 (sm_90: 64K registers, 228 KiB shared
   memory, 2048 threads and 32 blocks per SM);
4. write the table (Markdown and CSV) and return what failed: a compile error (in
   driving, PTX generation or ptxas), and a spill in a kernel that a default
   configuration launches.

What this catches that the simulator cannot: anything real CUDA refuses to compile
(a shared array whose shape is not a compile-time constant, an unsupported call), float64
arithmetic and 64-bit division in float32 kernels (visible in the PTX), register pressure
and spills, launch shapes over CUDA's limits (the fake GPU checks each launch). What it
cannot catch: wrong values, races, and anything that happens only when kernels run (the
simulator tests and a real GPU are for that).
"""
from __future__ import annotations

import concurrent.futures
import csv
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

CCS = ((8, 0), (9, 0))
OUT = Path("docs/benchmarks/cuda")

# sm_90 (H100, H200) per-SM limits, from NVIDIA's occupancy calculator tables.
SM90 = {"regs": 65536, "reg_unit": 256, "smem": 233472, "smem_reserved": 1024,
        "warps": 64, "blocks": 32}


@dataclasses.dataclass
class Row:
    kernel: str
    signature: str
    cc: str
    registers: int | None = None
    spill_stores: int | None = None
    spill_loads: int | None = None
    stack: int | None = None
    shared_static: int | None = None
    threads: str = ""
    shared_dynamic: str = ""
    blocks_per_sm: str = ""
    default: bool = False
    fp64_in_fp32: int = 0  # float64 instructions in a kernel without float64 arguments
    div64: int = 0  # 64-bit integer divisions and remainders
    error: str = ""
    used_by: str = ""  # the labels of the calls that launched it (cuda_drive)


def find_ptxas() -> str | None:
    """ptxas from PATH, else from the pip CUDA toolkit packages (nvidia-cuda-nvcc-cu12
    puts it in nvidia/cuda_nvcc/bin, CUDA 13's in nvidia/cu13/bin)."""
    found = shutil.which("ptxas")
    if found:
        return found
    for entry in sys.path:
        for sub in ("nvidia/cuda_nvcc/bin/ptxas", "nvidia/cu13/bin/ptxas", "nvidia/cu12/bin/ptxas"):
            p = Path(entry) / sub
            if p.is_file() and os.access(p, os.X_OK):
                return str(p)
    return None


_INFO = re.compile(r"Used (\d+) registers(?:, used \d+ barriers)?(?:, (\d+) bytes smem)?")
_SPILL = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")


def assemble(ptxas: str, ptx: str, cc: tuple[int, int]) -> dict:
    """ptxas -v on one PTX module: registers, spills, stack, static shared bytes (the
    largest over the module's entry points)."""
    arch = f"sm_{cc[0]}{cc[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "k.ptx"
        src.write_text(ptx)
        proc = subprocess.run([ptxas, f"-arch={arch}", "-v", "-o", str(Path(tmp) / "k.cubin"),
                               str(src)], capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        return {"error": f"ptxas {arch}: " + log.strip()[-1500:]}
    info = {"registers": 0, "spill_stores": 0, "spill_loads": 0, "stack": 0, "shared_static": 0}
    for m in _INFO.finditer(log):
        info["registers"] = max(info["registers"], int(m.group(1)))
        info["shared_static"] = max(info["shared_static"], int(m.group(2) or 0))
    for m in _SPILL.finditer(log):
        info["stack"] = max(info["stack"], int(m.group(1)))
        info["spill_stores"] = max(info["spill_stores"], int(m.group(2)))
        info["spill_loads"] = max(info["spill_loads"], int(m.group(3)))
    return info


def blocks_per_sm(registers: int, threads: int, shared: int) -> int:
    """Resident blocks per sm_90 SM for a kernel of ``registers`` per thread, launched
    with ``threads`` per block and ``shared`` bytes of shared memory per block."""
    warps = -(-threads // 32)
    by_warps = SM90["warps"] // warps
    unit = SM90["reg_unit"]
    per_warp = -(-max(registers, 1) * 32 // unit) * unit
    by_regs = (SM90["regs"] // per_warp) // warps
    by_smem = SM90["smem"] // (shared + SM90["smem_reserved"])
    return max(0, min(SM90["blocks"], by_warps, by_regs, by_smem))


_FP64 = re.compile(r"^\s*(?:add|sub|mul|fma|div|cvt\.rn\.f32)\S*\.f64\b|^\s*cvt\.f64\.", re.M)
# libdevice's sinf/cosf/tanf reduce a huge argument (|x| > 105615) by Payne-Hanek in
# 64-bit integers and scale the result with one float64 multiply by pi/2 * 2^-64, which
# is rounded back to float32: float32 maths as CUDA (and PyTorch) do it, not an untyped
# literal, so that multiply and its conversion are not counted.
_LIBDEVICE_TRIG = re.compile(r"^\s*mul\.f64\s+(%fd\d+),\s*%fd\d+,\s*0d3BF921FB54442D19;")


def _ptx_checks(ptx: str, signature: str) -> tuple[int, int]:
    """(float64 instructions in a float32 kernel (one with float32 and no float64
    arguments), 64-bit integer divisions and remainders)."""
    fp64 = 0
    if "float32" in signature and "float64" not in signature and "complex128" not in signature:
        lines = ptx.splitlines()
        exempt = set()
        for i, line in enumerate(lines):
            m = _LIBDEVICE_TRIG.match(line)
            if m:
                exempt.add(i)
                back = re.compile(rf"^\s*cvt\.rn\.f32\.f64\s+%f\d+,\s*{re.escape(m.group(1))};")
                exempt.update(j for j in range(i + 1, min(i + 4, len(lines)))
                              if back.match(lines[j]))
        fp64 = sum(1 for i, line in enumerate(lines) if i not in exempt and _FP64.match(line))
    div64 = len(re.findall(r"^\s*(?:div|rem)\.[su]64\b", ptx, re.M))
    return fp64, div64


def compile_records(records, ccs=CCS, log: Callable[[str], None] = lambda m: None,
                    workers: int | None = None) -> list[Row]:
    """A Row per (kernel specialisation, compute capability)."""
    ptxas = find_ptxas()
    jobs = []
    for rec in records:
        for cc in ccs:
            jobs.append((rec, cc))

    def one(job):
        rec, cc = job
        row = Row(kernel=rec.name, signature=rec.signature, cc=f"{cc[0]}.{cc[1]}",
                  default=any("default" in t for t in rec.tags),
                  used_by="; ".join(sorted(rec.tags)))
        shapes = sorted(rec.launch_shapes)
        row.threads = " ".join(sorted({str(t) for t, _ in shapes}, key=int))
        row.shared_dynamic = " ".join(sorted({str(s) for _, s in shapes}, key=int))
        try:
            ptx = rec.library.get_asm_str(cc=cc)
        except Exception as e:  # noqa: BLE001 - reported as the row's error
            row.error = f"PTX for sm_{cc[0]}{cc[1]}: {type(e).__name__}: {e}"[:1500]
            return row
        row.fp64_in_fp32, row.div64 = _ptx_checks(ptx, rec.signature)
        if ptxas is None:
            row.error = "ptxas not found (pip install nvidia-cuda-nvcc-cu12)"
            return row
        info = assemble(ptxas, ptx, cc)
        if "error" in info:
            row.error = info["error"]
            return row
        for k, v in info.items():
            setattr(row, k, v)
        row.blocks_per_sm = " ".join(
            str(blocks_per_sm(row.registers, t, row.shared_static + s)) for t, s in shapes)
        return row

    # PTX generation holds Numba's compiler lock; ptxas runs in parallel beside it.
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        rows = list(pool.map(one, jobs))
    log(f"compiled {len(rows)} (specialisation, cc) pairs")
    return rows


@dataclasses.dataclass
class GateResult:
    rows: list[Row]
    drive_failures: list[tuple[str, str]]
    specialisations: int
    calls: int
    seconds: float

    @property
    def compile_errors(self) -> list[Row]:
        return [r for r in self.rows if r.error]

    @property
    def spilled(self) -> list[Row]:
        return [r for r in self.rows if (r.spill_stores or 0) + (r.spill_loads or 0) > 0]

    @property
    def default_spills(self) -> list[Row]:
        return [r for r in self.spilled if r.default]

    @property
    def ok(self) -> bool:
        return not (self.drive_failures or self.compile_errors or self.default_spills)

    def summary(self) -> str:
        return (f"{self.specialisations} kernel specialisations launched by {self.calls} "
                f"calls, compiled for sm_{'/sm_'.join(c.replace('.', '') for c in sorted({r.cc for r in self.rows}))}: "
                f"{len(self.rows)} compiled, {len(self.compile_errors)} failed, "
                f"{len(self.drive_failures)} calls failed, {len(self.spilled)} spilled "
                f"({len(self.default_spills)} in default kernels), "
                f"{sum(1 for r in self.rows if r.fp64_in_fp32)} float32 kernels with "
                f"float64 instructions, {sum(1 for r in self.rows if r.div64)} with 64-bit "
                f"divisions; {self.seconds:.0f} s")


def run_gate(ccs=CCS, log: Callable[[str], None] = lambda m: None,
             examples: int | None = None) -> GateResult:
    """Drive, compile and assemble everything (see the module docstring)."""
    from minigrad.testing.fake_gpu import fake_gpu
    from . import cuda_drive

    t0 = time.perf_counter()
    with fake_gpu(cc=max(ccs)) as gpu:
        driver = cuda_drive.drive_all(gpu, log=log,
                                      examples=examples or cuda_drive.EXAMPLES)
        records = list(gpu.kernels.values())
        log(f"{len(records)} kernel specialisations launched; compiling for "
            f"{', '.join(f'sm_{a}{b}' for a, b in ccs)}")
        rows = compile_records(records, ccs, log)
    return GateResult(rows, driver.failures, len(records), driver.calls,
                      time.perf_counter() - t0)


COLUMNS = ("kernel", "signature", "cc", "registers", "spill_stores", "spill_loads", "stack",
           "shared_static", "threads", "shared_dynamic", "blocks_per_sm", "default",
           "fp64_in_fp32", "div64", "error", "used_by")


def _short_name(name: str) -> str:
    name = name.replace("minigrad.ops.", "").replace(".<locals>", "")
    return name


def _short_sig(sig: str) -> str:
    sig = re.sub(r"array\((\w+), (\d)d, C\)", r"\1[\2d]", sig)
    return sig


def write(result: GateResult, out: Path = OUT, machine: str = "") -> list[Path]:
    """resources.md (the table, the summary) and resources.csv under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rows = sorted(result.rows, key=lambda r: (r.kernel, r.signature, r.cc))
    csv_path = out / "resources.csv"
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([getattr(r, c) for c in COLUMNS])
    md = out / "resources.md"
    lines = [
        "# CUDA kernel resources (compiled for the real target, no GPU)",
        "",
        "Written by `minigrad bench --device cuda --resources`: every kernel specialisation "
        "that the public API launches (driven over a fake GPU), compiled to PTX by NVVM "
        "and assembled by `ptxas -v`. *blocks/SM* is the estimated number of resident "
        "blocks per H100/H200 SM (sm_90) for each launch shape seen (threads per block "
        "and dynamic shared bytes, in the same order). *fp64* counts float64 "
        "instructions in kernels without float64 arguments; *div64* 64-bit integer "
        "divisions and remainders.",
        "",
        f"**{result.summary()}**",
        "",
    ]
    if machine:
        lines += [f"Machine: {machine}", ""]
    for name, failures in (("Calls that failed", result.drive_failures),):
        if failures:
            lines += [f"## {name}", ""] + [f"- `{lbl}`: {msg.splitlines()[0]}"
                                           for lbl, msg in failures] + [""]
    if result.compile_errors:
        lines += ["## Compile errors", ""] + [
            f"- `{_short_name(r.kernel)}` ({_short_sig(r.signature)}) sm_{r.cc}: "
            f"{r.error.splitlines()[0]}" for r in result.compile_errors] + [""]
    lines += ["## sm_90", "",
              "| kernel | arguments | default | regs | spill st/ld | stack | smem static | "
              "threads | smem dyn | blocks/SM | fp64 | div64 |",
              "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r.cc != "9.0" or r.error:
            continue
        lines.append(
            f"| `{_short_name(r.kernel)}` | {_short_sig(r.signature)} | "
            f"{'yes' if r.default else ''} | {r.registers} | {r.spill_stores}/{r.spill_loads} | "
            f"{r.stack} | {r.shared_static} | {r.threads} | {r.shared_dynamic} | "
            f"{r.blocks_per_sm} | {r.fp64_in_fp32 or ''} | {r.div64 or ''} |")
    lines += ["", "sm_80 rows (registers and spills) are in resources.csv.", ""]
    md.write_text("\n".join(lines))
    return [md, csv_path]


def main(out: Path = OUT, log: Callable[[str], None] = print) -> int:
    """The CLI's ``--resources``: run the gate, write the table, 0 if it passed."""
    from numba import config
    if config.ENABLE_CUDASIM:
        log("--resources compiles for the real CUDA target: unset NUMBA_ENABLE_CUDASIM")
        return 2
    result = run_gate(log=log)
    from . import machine
    import numba
    import numba_cuda
    host = (f"{machine.cpu_model()}; numba {numba.__version__}, numba-cuda "
            f"{numba_cuda.__version__}, NVVM from pip; no GPU (fake sm_90 device)")
    paths = write(result, out, host)
    log(result.summary())
    for p in paths:
        log(f"wrote {p}")
    return 0 if result.ok else 1
