"""`make demo`'s job on a quiet machine and beside a busy neighbour (issue 37, point 7), side by side.

    python perf/bench_busy.py               (about 4 minutes on 2 idle cores)
    python perf/bench_busy.py --reference   (also with torch's threads left at one per core, as before 00d_cores:
                                             about 10 more minutes, most of it beside the neighbour)

Each run starts from a fresh TAPAS_HOME on the shipped database (nothing characterized yet), with the dataset already
built there, as a user's second call finds it. The neighbour is a plain Python busy loop (`while True: pass`) started
one second before the job and killed after it. Nothing else may run meanwhile: the figures are wall-clock seconds and
the job's own CPU seconds (all its threads), and the ratio busy/quiet is the figure the issue asks for (at most 2)."""
import argparse, os, re, resource, shlex, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def demo_args() -> list:
    "The arguments `make demo` gives the `tapas` command (the Makefile's DEMO)."
    line = re.search(r'^DEMO \?= (.*)$', (ROOT/'Makefile').read_text(), re.M).group(1)
    return shlex.split(line)

def dataset_of(args: list) -> str: return args[args.index('--dataset') + 1]

def run_job(args: list, busy: bool, share: bool) -> dict:
    "Time the `tapas` job `args` in a fresh home; beside a busy loop when `busy`; without sharing cores unless `share`."
    with tempfile.TemporaryDirectory(prefix='tapas_busy_') as home:
        env = {**os.environ, 'TAPAS_HOME': home, 'TQDM_DISABLE': '1'}
        env.pop('OMP_NUM_THREADS', None)
        subprocess.run([sys.executable, '-c', 'import sys; from tapas_nb.data import load_dataset; load_dataset(sys.argv[1])',
                        dataset_of(args)], env=env, check=True)
        patch = '' if share else 'cli._TRAINING = ();'
        code = f'import sys; from tapas_nb import cli; {patch} sys.exit(cli.main(sys.argv[1:]))'
        loop = subprocess.Popen([sys.executable, '-c', 'while True: pass']) if busy else None
        if loop: time.sleep(1.0)
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run([sys.executable, '-c', code, *args], env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
        if loop: loop.kill(); loop.wait()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return dict(threads='one per free core' if share else 'one per core (before)', neighbour='busy loop' if busy else 'none',
                seconds=wall, cpu=cpu)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--reference', action='store_true', help="also time the job with torch's default threads")
    opts = ap.parse_args(argv)
    args = demo_args()
    print(f"job: tapas {shlex.join(args)}   cores: {os.cpu_count()}   load average before: {os.getloadavg()[0]:.2f}\n")
    print('| torch threads | neighbour | seconds | CPU seconds | busy / quiet |\n|---|---|---:|---:|---:|')
    for share in ([True, False] if opts.reference else [True]):
        quiet = run_job(args, busy=False, share=share)
        busy = run_job(args, busy=True, share=share)
        for r in (quiet, busy):
            ratio = f"{r['seconds'] / quiet['seconds']:.2f}" if r is busy else ''
            print(f"| {r['threads']} | {r['neighbour']} | {r['seconds']:.0f} | {r['cpu']:.0f} | {ratio} |", flush=True)

if __name__ == '__main__': main()
