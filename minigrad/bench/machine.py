"""What the numbers were measured on: CPU, cores, threads, libraries."""
from __future__ import annotations

import os
import platform

import numpy as np


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def numba_threads() -> int | None:
    try:
        import numba
    except ImportError:
        return None
    return numba.get_num_threads()


def numba_threading_layer() -> str | None:
    """Numba's threading layer (omp, tbb, workqueue). Numba only knows it once a
    parallel kernel has run, so a tiny one is run when needed (compiled once)."""
    try:
        import numba
    except ImportError:
        return None
    try:
        return numba.threading_layer()
    except ValueError:
        pass

    @numba.njit(parallel=True)
    def _touch(n):
        s = 0
        for i in numba.prange(n):
            s += i
        return s

    try:
        _touch(4)
        return numba.threading_layer()
    except Exception as e:  # a broken threading layer should not stop the benchmark
        return f"unknown ({type(e).__name__})"


def blas() -> str | None:
    try:
        config = np.show_config(mode="dicts")
        info = config["Build Dependencies"]["blas"]
        return f"{info.get('name')} {info.get('version', '')}".strip()
    except Exception:  # older NumPy: no dict mode; not worth more effort
        return None


def threads() -> int:
    """The threads minigrad's parallel kernels use (Numba's), else the usable cores."""
    return numba_threads() or usable_cores()


_blas_limits = None  # kept alive: threadpoolctl restores the limits when asked to


def set_threads(n: int) -> int:
    """Make Numba's parallel kernels use ``n`` threads (at most NUMBA_NUM_THREADS, fixed
    at start-up), and NumPy's BLAS too when threadpoolctl is installed (otherwise only
    OPENBLAS_NUM_THREADS set before start-up does that); returns the number set."""
    global _blas_limits
    if n < 1:
        raise ValueError(f"threads must be at least 1, got {n}")
    try:
        from threadpoolctl import threadpool_limits
        _blas_limits = threadpool_limits(n, user_api="blas")
    except ImportError:
        pass
    try:
        import numba
    except ImportError:
        return n
    n = min(n, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(n)
    return n


def blas_threads() -> str:
    """NumPy's BLAS threads, as far as can be told cheaply."""
    try:
        from threadpoolctl import threadpool_info
        counts = {str(p["num_threads"]) for p in threadpool_info() if p.get("user_api") == "blas"}
        if counts:
            return "/".join(sorted(counts))
    except ImportError:
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var):
            return f"{os.environ[var]} ({var})"
    return "library default"


def load_average() -> str | None:
    try:
        return "/".join(f"{v:.1f}" for v in os.getloadavg())
    except (AttributeError, OSError):
        return None


def gpu() -> dict:
    """The GPU minigrad's cuda device runs on: its name (minigrad.cuda.get_device_name()),
    compute capability and the numba-cuda version, as far as they can be told."""
    import minigrad
    d = {"gpu": minigrad.cuda.get_device_name(), "gpu_capability": None, "numba_cuda": None}
    try:
        from importlib.metadata import version
        d["numba_cuda"] = version("numba-cuda")
    except Exception:  # not installed as a distribution of that name
        pass
    if not minigrad.cuda.is_simulator():
        try:
            from numba import cuda
            d["gpu_capability"] = ".".join(map(str, cuda.get_current_device().compute_capability))
        except Exception:  # only a detail of the machine line
            pass
    return d


def info(torch=None, device: str = "cpu") -> dict:
    d = {"cpu": cpu_model(), "logical_cores": os.cpu_count(), "usable_cores": usable_cores(),
         "python": platform.python_version(), "numpy": np.__version__, "blas": blas(), "blas_threads": blas_threads(),
         "numba": None, "numba_threads": numba_threads(),
         "numba_threading_layer": numba_threading_layer(),
         "torch": None, "torch_threads": None}
    try:
        import numba
        d["numba"] = numba.__version__
    except ImportError:
        pass
    if torch is not None:
        d["torch"] = torch.__version__
        d["torch_threads"] = torch.get_num_threads()
    if device == "cuda":
        d.update(gpu())
        d["torch_cuda"] = None
        if torch is not None:
            from .torch_ref import has_cuda
            d["torch_cuda"] = getattr(torch.version, "cuda", None) if has_cuda(torch) else None
    return d


def line(d: dict) -> str:
    cores = f"{d['logical_cores']} logical cores"
    if d["usable_cores"] != d["logical_cores"]:
        cores += f" ({d['usable_cores']} usable)"
    parts = [d["cpu"], cores, f"Python {d['python']}",
             f"NumPy {d['numpy']}" + (f" ({d['blas']}" if d["blas"] else " (BLAS")
             + f", threads {d['blas_threads']})"]
    if d["numba"]:
        parts.append(f"Numba {d['numba']}, {d['numba_threads']} threads, "
                     f"threading layer {d['numba_threading_layer']}")
    else:
        parts.append("Numba not installed")
    if d.get("gpu"):
        gpu = f"GPU {d['gpu']}"
        if d.get("gpu_capability"):
            gpu += f" (compute capability {d['gpu_capability']})"
        if d.get("numba_cuda"):
            gpu += f", numba-cuda {d['numba_cuda']}"
        parts.insert(2, gpu)  # after the CPU and its cores
        if d["torch"] and d.get("torch_cuda"):
            parts.append(f"PyTorch {d['torch']} (CUDA {d['torch_cuda']}), "
                         f"{d['torch_threads']} CPU threads")
        elif d["torch"]:
            parts.append(f"PyTorch {d['torch']} without CUDA: no GPU reference")
        else:
            parts.append("PyTorch not measured")
        return "; ".join(parts)
    parts.append(f"PyTorch {d['torch']}, {d['torch_threads']} threads" if d["torch"]
                 else "PyTorch not measured")
    return "; ".join(parts)
