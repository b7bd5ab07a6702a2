"""OpenBLAS's kernels for this CPU, named before numpy or torch loads the library.

Debian 12's OpenBLAS (0.3.21) does not recognize every CPU model: on the project's AVX-512
machine (a virtual CPU named "Intel(R) Xeon(R) Processor") it falls back to its generic
Prescott kernels, and a one-thread sgemm makes 16 GMAC/s where its SkylakeX kernels make 77.
The benchmarks import this module first, so that the PyTorch peer and the sgemm roofline run
the kernels the CPU has (an OPENBLAS_CORETYPE already set is kept)."""
import os


def openblas_core() -> str:
    """The OpenBLAS kernels for this CPU's instruction sets: SkylakeX (AVX-512), Haswell (AVX2),
    or "" (OpenBLAS's own choice)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split() for line in f if line.startswith("flags")), [])
    except OSError:
        return ""
    return "SkylakeX" if "avx512f" in flags else "Haswell" if "avx2" in flags else ""


if openblas_core():
    os.environ.setdefault("OPENBLAS_CORETYPE", openblas_core())
