"""The machine a benchmark ran on, as its printout names it (bench/RESULTS.md asks for the
processor and whether it has AVX2, AVX-512 and bf16)."""
import platform


def _cpuinfo():
    try:
        with open("/proc/cpuinfo") as f:
            return f.read()
    except OSError:
        return ""


def cpu_name():
    for line in _cpuinfo().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def cpu_flags():
    """Which of the vector extensions that decide our speed the processor has."""
    text = _cpuinfo()
    have = [f for f in ("avx512_bf16", "amx_bf16", "avx512f", "avx2") if f" {f}" in text]
    return ", ".join(have) or "none of avx2/avx512"
