"""Real servers for the tests: a throwaway PostgreSQL cluster and a local Ray cluster (a head and one worker node).

Both listen on 127.0.0.1 only. CI runs the tests inside `unshare -n` (only loopback exists); Ray binds to the
machine's interface address otherwise, so run these tests the same way locally:
`unshare -n sh -c 'ip link set lo up; .venv/bin/python -m pytest tests/test_cluster.py'`.
A server that cannot start fails the tests that need it, unless TAPAS_SKIP_SERVERS=1 (then they are skipped)."""
import os, pwd, secrets, shutil, signal, socket, subprocess, sys, tempfile, time
from pathlib import Path
import pytest

PG_BIN = Path(os.environ.get('TAPAS_PG_BIN', '/usr/lib/postgresql/15/bin'))
RAY = str(Path(sys.executable).parent/'ray')

def unavailable(what: str, why: str):
    "Fail loudly (CI must not pass without the servers), or skip when TAPAS_SKIP_SERVERS=1."
    if os.environ.get('TAPAS_SKIP_SERVERS') == '1': pytest.skip(f'{what}: {why} (TAPAS_SKIP_SERVERS=1)')
    pytest.fail(f'{what} could not be started: {why}', pytrace=False)

def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def as_user(user: str | None) -> list:
    "A command prefix that runs as `user` (PostgreSQL refuses to run as root)."
    return ['setpriv', f'--reuid={user}', f'--regid={user}', '--init-groups', '--'] if user else []

class Postgres:
    "A PostgreSQL cluster in a temporary folder on a free port of 127.0.0.1, trusting local connections."
    def __init__(self):
        if not (PG_BIN/'initdb').exists():
            unavailable('PostgreSQL', f'no initdb in {PG_BIN} (apt-get install postgresql)')
        self.dir = Path(tempfile.mkdtemp(prefix='tapas-pg-'))
        self.user = 'postgres' if os.geteuid() == 0 else None
        if self.user:
            try: pw = pwd.getpwnam(self.user)
            except KeyError: unavailable('PostgreSQL', 'running as root, and there is no user postgres to run it as')
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.port, data = free_port(), self.dir/'data'
        self._run([PG_BIN/'initdb', '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'])
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run([PG_BIN/'pg_ctl', '-D', data, '-o', opts, '-l', self.dir/'log', '-w', 'start'])
        self.started = True

    def _run(self, cmd):
        r = subprocess.run(as_user(self.user) + [str(c) for c in cmd], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            log = (self.dir/'log').read_text()[-2000:] if (self.dir/'log').exists() else ''
            unavailable('PostgreSQL', f'{cmd[0]} exited {r.returncode}: {r.stderr[-2000:]}{log}')

    def url(self, database: str = 'postgres') -> str: return f'postgresql://postgres@127.0.0.1:{self.port}/{database}'

    def new_database(self, name: str) -> str:
        "Create an empty database; return its URL."
        import psycopg
        with psycopg.connect(self.url(), autocommit=True) as c: c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self):
        stop = [str(PG_BIN/'pg_ctl'), '-D', str(self.dir/'data'), '-m', 'immediate', 'stop']
        subprocess.run(as_user(self.user) + stop, capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)

def _kill_tree(proc: subprocess.Popen):
    "Stop a `ray start --block` and every process it started (never `ray stop`, which stops every Ray on the machine)."
    import psutil
    try: tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess: tree = []
    for p in tree:
        try: p.send_signal(signal.SIGTERM)
        except psutil.NoSuchProcess: pass
    _, alive = psutil.wait_procs(tree, timeout=5)
    for p in alive:
        try: p.kill()
        except psutil.NoSuchProcess: pass

class _NodeFailed(Exception): pass

class RayCluster:
    "A Ray head and one worker node on 127.0.0.1, one CPU each, started by `ray start --block`."
    def __init__(self, env: dict, attempts: int = 3):
        if not Path(RAY).exists(): unavailable('Ray', f'no {RAY} (pip install ray)')
        # a token of its own, in the environment: nothing is read from or written to ~/.ray
        self.env = dict(RAY_AUTH_MODE='token', RAY_AUTH_TOKEN=secrets.token_hex(16))
        for attempt in range(1, attempts + 1):
            # on a busy machine a raylet may give up waiting for its agents and die (Ray 2.60): start afresh
            try: return self._start_nodes({**env, **self.env})
            except _NodeFailed as e:
                if attempt == attempts: unavailable('Ray', f'{attempts} attempts; the last: {e}')

    def _start_nodes(self, env: dict):
        self.port, self.procs = free_port(), []
        self.temp = Path(tempfile.mkdtemp(prefix='ray', dir='/tmp'))   # short: Ray's socket paths must fit 107 bytes
        common = ['--num-cpus=1', '--disable-usage-stats', '--block', '--node-ip-address=127.0.0.1']
        self._start([RAY, 'start', '--head', f'--port={self.port}', '--include-dashboard=false',
                     f'--temp-dir={self.temp}', *common, *self._agent_ports()], env)
        self._start([RAY, 'start', f'--address={self.address}', *common, *self._agent_ports()], env)
        self._check_nodes(2)

    @property
    def address(self) -> str: return f'127.0.0.1:{self.port}'

    @staticmethod
    def _agent_ports() -> list:
        "Fixed ports for a node's agents."
        # with ports of their own choosing, the second node's raylet died here waiting for the files that name them
        # (its agents start slowly on a busy machine); with fixed ones that is rarer, and `attempts` covers the rest
        names = ['dashboard-agent-listen-port', 'dashboard-agent-grpc-port', 'runtime-env-agent-port',
                 'metrics-export-port']
        return [f'--{name}={free_port()}' for name in names]

    def _start(self, cmd, env, timeout: float = 150):
        "Start a node and wait until it says it runs (no polling driver: on two busy cores that starves the node)."
        log = self.temp/f'start{len(self.procs)}.log'
        self.procs.append(subprocess.Popen(cmd, env=env, stdout=open(log, 'w'), stderr=subprocess.STDOUT,
                                           start_new_session=True))
        deadline = time.time() + timeout
        while time.time() < deadline and self.procs[-1].poll() is None:
            if 'Ray runtime started' in log.read_text(): return
            time.sleep(0.5)
        self._fail(f'{cmd[1:3]} did not start within {timeout} s')

    def _check_nodes(self, n: int):
        code = ("import ray, sys; ray.init(address=sys.argv[1], log_to_driver=False); "
                "print(sum(x['Alive'] for x in ray.nodes()), sorted({x['NodeManagerAddress'] for x in ray.nodes()}))")
        r = subprocess.run([sys.executable, '-c', code, self.address], capture_output=True, text=True, timeout=120,
                           env={**os.environ, **self.env})
        if r.returncode != 0 or r.stdout.split()[:1] != [str(n)]:
            self._fail(f'not {n} nodes: {r.stdout}{r.stderr[-1500:]}')

    def _fail(self, why: str):
        logs = ''.join(f.read_text()[-1500:] for f in sorted(self.temp.glob('start*.log')))
        for f in sorted(self.temp.glob('session_*/logs/raylet*.out')):
            logs += f'{f.name}: ' + '\n'.join(l for l in f.read_text().splitlines() if ' E ' in l or ' C ' in l)[-1500:]
        self.stop()
        raise _NodeFailed(f'{why} at {self.address}\n{logs}')

    def stop(self):
        for p in reversed(self.procs): _kill_tree(p)
        shutil.rmtree(self.temp, ignore_errors=True)
