"""Encoding throughput: `encode_arch` on 10,000 sampled CPU-space architectures, from their text.

cold: the token cache of the parser and the encoder's per-token feature cache are cleared first, and every
      architecture is parsed from its string (architectures themselves are never cached);
warm: a second pass over the same strings (token caches filled; each string is still parsed and traced again).
Run: .venv/bin/python perf/bench_encoding.py [N]"""
import sys, time, platform
import numpy as np
from tapas_nb import arch as A, encoding as E

def timed(fn):
    t0 = time.perf_counter(); out = fn(); return out, time.perf_counter() - t0

def main(n: int = 10_000, seed: int = 0):
    archs, t_sample = timed(lambda: A.sample_archs(n, seed=seed, space=A.CPU_SPACE, input_shape=(1, 16, 16)))
    texts = [str(a) for a in archs]
    A._parse_token.cache_clear(); E._STATIC.clear()
    cold, t_cold = timed(lambda: [E.encode_arch(s, (1, 16, 16), 10) for s in texts])
    warm, t_warm = timed(lambda: [E.encode_arch(s, (1, 16, 16), 10) for s in texts])
    _, t_pad = timed(lambda: E.pad_encodings(warm))
    assert all(np.array_equal(a, b) for a, b in zip(cold, warm))
    rows = [('sample_archs (CPU space)', n, t_sample), ('encode_arch, cold (from text)', n, t_cold),
            ('encode_arch, warm (from text)', n, t_warm), ('pad_encodings', n, t_pad)]
    print(f"python {platform.python_version()}, {platform.machine()}, single process; "
          f"mean tokens/arch {np.mean([len(a) for a in archs]):.2f}\n")
    print(f"| {'step':<30} | {'archs':>6} | {'seconds':>8} | {'archs/s':>9} |")
    print(f"|{'-'*32}|{'-'*7}:|{'-'*9}:|{'-'*10}:|")
    for name, k, t in rows: print(f"| {name:<30} | {k:>6} | {t:>8.3f} | {k/t:>9,.0f} |")
    return rows

if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
