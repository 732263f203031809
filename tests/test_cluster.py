"""Growth on the engines of a cluster, with the real servers: PostgreSQL for the database, Ray for the workers.

The servers are started by the fixtures (see servers.py) and listen on 127.0.0.1 only; run these tests inside
`unshare -n` as CI does. Each test gets a database of its own on the one PostgreSQL server."""
import gzip, json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest
import sqlalchemy as sa
from conftest import tapas, TAPAS
from servers import Postgres, RayCluster

GROW = ['lde', 'grow', '--protocol', 'smoke', '--no-characterize', '--json']
ENV = {'OMP_NUM_THREADS': '1'}

@pytest.fixture(scope='session')
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()

@pytest.fixture(scope='session')
def ray_cluster(tmp_path_factory):
    env = {**os.environ, **ENV, 'TAPAS_HOME': str(tmp_path_factory.mktemp('ray_home'))}
    cluster = RayCluster(env)
    yield cluster
    cluster.stop()

ENGINES = {}

def counts(url: str) -> dict:
    "Rows of the database by status, how many keys have more than one row, and the claims of running rows."
    if url not in ENGINES: ENGINES[url] = sa.create_engine(url.replace('postgresql://', 'postgresql+psycopg://'))
    with ENGINES[url].connect() as c:
        rows = dict(c.execute(sa.text('select status, count(*) from experiments group by status')).all())
        dups = c.execute(sa.text('select count(*) from (select 1 from experiments group by arch_hash, dataset, '
                                 'protocol, seed having count(*) > 1) d')).scalar()
        claims = c.execute(sa.text("select claimed_by from experiments where status = 'running'")).scalars().all()
    return dict(rows, duplicates=dups, claims=claims)

def start(*args, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([TAPAS, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **ENV, **(env or {})})

def result(proc: subprocess.Popen, timeout: float = 300) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, (proc.returncode, err[-3000:])
    return json.loads(out)

def wait_until(what, timeout: float = 120, every: float = 0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if (v := what()): return v
        time.sleep(every)
    raise AssertionError(f'timed out after {timeout} s waiting for {what.__doc__}')

def test_new_postgres_database_opened_by_eight_growers_at_once(home, postgres):
    "Eight connections create the schema of one new database at the same moment: it is made once, none fails."
    import threading
    from tapas_nb.storage import open_engine
    url, go, errors = postgres.new_database('opened_at_once'), threading.Barrier(8), []
    def opener():
        go.wait()
        try: open_engine(url).dispose()
        except Exception as e: errors.append(e)
    threads = [threading.Thread(target=opener) for _ in range(8)]
    for th in threads: th.start()
    for th in threads: th.join(120)
    assert errors == []
    r = json.loads(tapas('lde', 'stats', '--db', url, '--json').stdout)
    assert r['url'] == url.replace('postgresql://', 'postgresql+psycopg://') and r['experiments'] == 0, r

def test_postgres_claims_heartbeats_and_takeover(home, postgres):
    from tapas_nb.lde import LDE
    from tapas_nb.storage import experiments_table as t
    import tapas_nb.grow   # claims
    url = postgres.new_database('claims')
    a, b = LDE(url), LDE(url)
    a.add_dataset('digits', 10, 1797, (1, 8, 8))
    assert a.claim('C8k3 G L', 'digits', 'smoke', 0) and not b.claim('C8k3 G L', 'digits', 'smoke', 0)
    with a.engine.begin() as c:   # as if the claim were a grower's on another machine, silent for ten minutes
        c.execute(t.update().values(claimed_by='far-away:17', heartbeat_at=t.c.heartbeat_at - 600))
    assert b.claim('C8k3 G L', 'digits', 'smoke', 0) and b.renew_claims() == 1
    assert b.claim('C16k3 G L', 'digits', 'smoke', 0, token='task-1')
    with b.engine.begin() as c:   # the same task's earlier attempt, on a machine whose heartbeat is fresh
        c.execute(t.update().where(t.c.claimed_by.like('%#task-1')).values(claimed_by='gone:1#task-1'))
    assert not a.claim('C16k3 G L', 'digits', 'smoke', 0) and a.claim('C16k3 G L', 'digits', 'smoke', 0, token='task-1')
    assert counts(url)['running'] == 2

def test_wrong_server_or_password_is_one_clear_line(home, postgres):
    r = tapas('lde', 'stats', '--db', f'postgresql://postgres:secret@127.0.0.1:{postgres.port}/no_such_db', check=False)
    assert r.returncode == 2 and 'postgresql+psycopg://postgres:***@127.0.0.1' in r.stderr and 'no_such_db' in r.stderr
    assert 'secret' not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr

def test_ray_and_plain_growers_on_one_postgres_lose_and_duplicate_nothing(home, postgres, ray_cluster):
    url = postgres.new_database('two_growers')
    plan = ['--datasets', 'digits[n=300]', 'digits[n=600]', '--archs', 25, '--db', url]
    total = 2 * 25
    growers = [start(*GROW, *plan, '--ray', ray_cluster.address, env=ray_cluster.env), start(*GROW, *plan)]
    ray_run, plain = (result(p) for p in growers)
    assert ray_run['trained'] + plain['trained'] == total, (ray_run, plain)   # every experiment trained once
    assert ray_run['trained'] > 0 and plain['trained'] > 0, (ray_run, plain)  # and the two shared the work
    assert ray_run['failed'] == 0
    assert counts(url) == dict(ok=total, duplicates=0, claims=[])
    stats = json.loads(tapas('lde', 'stats', '--db', url, '--json').stdout)
    assert stats['experiments'] == total and stats['architectures'] == 25 and stats['datasets'] == 2, stats
    # the same command again trains nothing
    again = result(start(*GROW, *plan, '--ray', ray_cluster.address, env=ray_cluster.env))
    assert again == dict(trained=0, skipped=total, diverged=0, failed=0), again

def kill_a_worker_in_flight(url: str, driver: subprocess.Popen, finished: int) -> str:
    "Once `finished` experiments are done, kill -9 the Ray worker that runs one now; return its claim."
    def claim_of_a_ray_task():
        "a Ray worker's claim, after enough finished experiments"
        if driver.poll() is not None: raise AssertionError(f'the sitting ended before the kill: {driver.stderr.read()}')
        try: c = counts(url)
        except sa.exc.ProgrammingError: return None   # the driver has not made the tables yet
        return c.get('ok', 0) >= finished and next((w for w in c['claims'] if '#' in w), None)
    claim = wait_until(claim_of_a_ray_task)
    os.kill(int(claim.split('#')[0].rpartition(':')[2]), signal.SIGKILL)
    return claim

SITTING = ['--datasets', 'digits', '--archs', 10]

@pytest.fixture(scope='module')
def killed_and_retried(postgres, ray_cluster, tmp_path_factory):
    "A sitting on Ray into PostgreSQL whose worker was killed mid-experiment: (url, the driver's counts, the claim)."
    url = postgres.new_database('killed_and_retried')
    driver = start(*GROW, *SITTING, '--db', url, '--ray', ray_cluster.address,
                   env={**ray_cluster.env, 'TAPAS_HOME': str(tmp_path_factory.mktemp('home'))})
    claim = kill_a_worker_in_flight(url, driver, finished=2)
    return url, result(driver), claim

def test_a_killed_ray_worker_loses_nothing_its_task_is_retried(home, killed_and_retried):
    url, counted, claim = killed_and_retried
    # the killed experiment's task ran again, took over the dead attempt's claim, and finished it; when the kill landed
    # just after the worker had written its result, the retry finds it done and skips it: nothing lost either way
    assert counted['trained'] + counted['skipped'] == 10 and counted['skipped'] <= 1, (counted, claim)
    assert counted['diverged'] == 0 and counted['failed'] == 0, (counted, claim)
    assert counts(url) == dict(ok=10, duplicates=0, claims=[])

def test_kill_9_without_retries_loses_at_most_the_experiment_in_flight(home, postgres, ray_cluster):
    url = postgres.new_database('killed_no_retries')
    args = [*GROW, *SITTING, '--db', url, '--ray', ray_cluster.address]
    driver = start(*args, '--retries', 0, env=ray_cluster.env)
    claim = kill_a_worker_in_flight(url, driver, finished=2)
    first, after = result(driver), counts(url)
    assert first['failed'] <= 1 and first['trained'] + first['failed'] == 10, (first, claim)
    assert after['duplicates'] == 0 and after['ok'] == first['trained'] and after.get('running', 0) == first['failed']
    assert after['claims'] in ([], [claim]), (after, claim)   # what was lost is the killed worker's experiment
    again = result(start(*args, env=ray_cluster.env))
    assert again == dict(trained=first['failed'], skipped=10 - first['failed'], diverged=0, failed=0), (again, first)
    assert counts(url) == dict(ok=10, duplicates=0, claims=[])

def exported_experiments(url: str, path: Path) -> list:
    "The export's lines, less what differs from one run of the same experiment to the next (time, place)."
    from tapas_nb.lde import LDE
    LDE(url).export(path)
    drop = {'seconds', 'started_at', 'finished_at', 'host'}
    return [{k: v for k, v in json.loads(l).items() if k not in drop} for l in gzip.open(path, 'rt')]

def test_export_from_postgres_equals_the_same_experiments_grown_into_sqlite(home, tmp_path, killed_and_retried):
    url = killed_and_retried[0]
    sqlite_url = f'sqlite:///{tmp_path}/same.sqlite'
    assert result(start(*GROW, *SITTING, '--db', sqlite_url))['trained'] == 10
    from_pg, from_sqlite = (exported_experiments(u, tmp_path/f'{i}.jsonl.gz') for i, u in enumerate([url, sqlite_url]))
    assert len(from_pg) == 1 + 10 and sum(r['kind'] == 'experiment' for r in from_pg) == 10
    assert from_pg == from_sqlite
