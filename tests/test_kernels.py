"""The compiled kernels (``sim.world.kernels``, numba) against their numpy reference: bit-identical.

Each kernel is run on the same random inputs under both backends, and a whole model with every
lever active is run under each: its daily series, summary and member state must be identical.
And a new process finds every compiled kernel in numba's on-disk cache.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import sparse

from sim.agents import STATE_NAMES
from sim.levers.adaptive import Adaptive
from sim.levers.content import Content
from sim.levers.events import Event, Events
from sim.levers.incentives import Badge, Incentives
from sim.levers.moderation import Moderation
from sim.levers.onboarding import Onboarding
from sim.levers.recruitment import Recruitment
from sim.levers.winback import WinBack
from sim.model import CommunityModel
from sim.policies import Strategy
from sim.world import kernels
from sim.world.content import _search_right

needs_numba = pytest.mark.skipif("numba" not in kernels.BACKENDS, reason="numba is not installed")


@pytest.mark.parametrize("seed", range(5))
def test_guided_search_equals_searchsorted(seed):
    """Picking an item by appeal guesses each item and checks the guess; any guess, right, wrong
    or out of range, must give ``np.searchsorted``'s answer."""
    rng = np.random.default_rng(seed)
    appeal = np.where(rng.random(300) < 0.9, 1.0, rng.uniform(0.1, 3, 300)).astype(np.float32)
    running = np.cumsum(appeal, dtype=np.float64)
    keys = np.concatenate([rng.uniform(-1, running[-1] + 1, 500), running[:50], [0.0]])
    exact = np.searchsorted(running, keys, side="right")
    for guess in (
        exact,
        exact + rng.integers(-3, 4, exact.size),
        rng.integers(-5, 400, exact.size),
    ):
        assert np.array_equal(_search_right(running, keys, guess), exact)


def _random_csr(rng, rows: int, density: float, spare: int):
    dense = np.where(rng.random((rows, rows)) < density, rng.random((rows, rows)), 0)
    dense = np.triu(dense, 1)
    dense = (dense + dense.T).astype(np.float32)  # ties are symmetric
    nnz = int((dense > 0).sum())
    indptr = np.concatenate([[0], np.cumsum((dense > 0).sum(axis=1))]).astype(np.int32)
    indices = np.zeros(nnz + spare, np.int32)
    data = np.zeros(nnz + spare, np.float32)
    indices[:nnz] = np.nonzero(dense)[1]
    data[:nnz] = dense[dense > 0]
    return dense, indptr, indices, data, nnz


def _both(kernel: str, *arrays_and_args):
    """Run ``kernel`` under each backend on its own copy of the inputs; returns both outputs and
    the (mutated) copies."""
    results = {}
    for name in ("numba", "numpy"):
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in arrays_and_args]
        with kernels.using(name):
            out = getattr(kernels.active(), kernel)(*args)
        results[name] = (out, args)
    return results["numba"], results["numpy"]


def _equal(a, b) -> None:
    if isinstance(a, tuple):
        for x, y in zip(a, b, strict=True):
            _equal(x, y)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype or a.dtype.kind == b.dtype.kind
        assert np.array_equal(a, b)
    else:
        assert a == b


@needs_numba
@pytest.mark.parametrize("seed", range(5))
def test_tie_kernels_equal_their_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(1, 80))
    dense, indptr, indices, data, nnz = _random_csr(rng, rows, rng.uniform(0, 0.3), spare=rows**2)
    queries = rng.integers(0, rows, (2, 200)).astype(np.int64)
    (found_numba, _), (found_numpy, _) = _both(
        "tie_find", indptr, indices[:nnz], queries[0], queries[1].astype(np.int32)
    )
    _equal(found_numba, found_numpy)
    assert np.array_equal(found_numba[1], dense[queries[0], queries[1]] > 0)

    free = np.flatnonzero(np.triu(dense == 0, 1).ravel())
    pairs = rng.choice(free, size=min(free.size, int(rng.integers(0, 25))), replace=False)
    new = np.sort(np.concatenate([pairs, (pairs % rows) * rows + pairs // rows]))  # both ends
    new_rows, new_cols = np.divmod(new.astype(np.int64), rows)
    values = rng.random(new.size).astype(np.float32)
    merge_args = (indptr, indices, data, nnz, new_rows, new_cols.astype(np.int32), values)
    (_, numba_arrays), (_, numpy_arrays) = _both("tie_merge", *merge_args)
    for x, y in zip(numba_arrays[:3], numpy_arrays[:3], strict=True):
        assert np.array_equal(x[: nnz + new.size], y[: nnz + new.size])

    rows_asked = rng.integers(0, rows, 50)
    active = rng.random(rows) < 0.5
    (products_numba, _), (products_numpy, _) = _both(
        "tie_row_products", indptr, indices[:nnz], data[:nnz], rows_asked, active
    )
    assert np.array_equal(products_numba, products_numpy)
    assert np.allclose(products_numba, (dense @ active)[rows_asked], rtol=1e-5)

    present = rng.random(rows) < 0.9
    gone = np.flatnonzero(~present)
    total = nnz + new.size
    decay_args = (*numpy_arrays[:3], total, np.float32(0.9), np.float32(0.3), gone)
    (live_numba, numba_arrays), (live_numpy, numpy_arrays) = _both("tie_decay", *decay_args)
    assert live_numba == live_numpy == np.count_nonzero(numpy_arrays[2][:total])
    assert np.array_equal(numba_arrays[2][:total], numpy_arrays[2][:total])  # pruned: 0, in place
    (kept_numba, numba_arrays), (kept_numpy, numpy_arrays) = _both(
        "tie_compact", *numpy_arrays[:3], total
    )
    assert kept_numba == kept_numpy == live_numpy
    assert np.array_equal(numba_arrays[0], numpy_arrays[0])
    for x, y in zip(numba_arrays[1:3], numpy_arrays[1:3], strict=True):
        assert np.array_equal(x[:kept_numba], y[:kept_numba])
    merged = sparse.csr_array(
        (numpy_arrays[2][:kept_numpy], numpy_arrays[1][:kept_numpy], numpy_arrays[0]),
        shape=(rows, rows),
    ).tocoo()
    assert (merged.data >= np.float32(0.3)).all()
    assert (present[merged.row] & present[merged.col]).all()  # no tie to a member who left
    assert np.array_equal(numba_arrays[0], numpy_arrays[0])
    for x, y in zip(numba_arrays[1:3], numpy_arrays[1:3], strict=True):
        assert np.array_equal(x[:kept_numba], y[:kept_numba])


@needs_numba
@pytest.mark.parametrize("seed", range(8))
def test_tie_merge_of_many_new_entries_equals_its_numpy_reference(seed):
    """Merging moves the entries after each new one's place in blocks: many new entries, several
    in one row, before, between and after a row's entries, in empty rows and in the last row."""
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(2, 60))
    dense, indptr, indices, data, nnz = _random_csr(rng, rows, rng.uniform(0, 0.5), spare=rows**2)
    free = np.flatnonzero((dense == 0).ravel())
    new = np.sort(rng.choice(free, size=int(rng.integers(1, free.size + 1)), replace=False))
    new_rows, new_cols = np.divmod(new.astype(np.int64), rows)
    values = rng.random(new.size).astype(np.float32) + np.float32(1)
    merge_args = (indptr, indices, data, nnz, new_rows, new_cols.astype(np.int32), values)
    (_, numba_arrays), (_, numpy_arrays) = _both("tie_merge", *merge_args)
    total = nnz + new.size
    for x, y in zip(numba_arrays[:3], numpy_arrays[:3], strict=True):
        assert np.array_equal(x[:total], y[:total])
    merged = sparse.csr_array(
        (numba_arrays[2][:total], numba_arrays[1][:total], numba_arrays[0]), shape=(rows, rows)
    )
    expected = dense.copy()
    expected[new_rows, new_cols] = values
    assert np.array_equal(merged.toarray(), expected)


@needs_numba
@pytest.mark.parametrize("seed", range(6))
def test_pick_kernels_equal_their_numpy_reference(seed):
    """Replies and reactions pick items by topic interest and appeal: both backends pick the same
    items, for plain feeds and feeds with engaging formats, empty topics and choosers with no
    interest in anything on offer."""
    from sim.world.content import Items

    rng = np.random.default_rng(seed)
    topics = 8
    size = int(rng.integers(1, 300))
    appeal = None if seed % 2 else np.where(rng.random(size) < 0.8, 1.0, rng.uniform(0.5, 3, size))
    feed = Items.build(
        rng.integers(-1, 50, size),
        rng.choice(topics - 2, size),  # the last two topics stay empty
        rng.random(size),
        rng.random(size) < 0.5,
        topics,
        **({} if appeal is None else {"appeal": appeal}),
    )
    pref = rng.random((60, topics)).astype(np.float32)
    pref[:5, : topics - 2] = 0  # interested only in topics with no items
    rows = rng.integers(0, 60, 500)
    u = rng.random((2, rows.size)).astype(np.float32)
    picked = {}
    for name in ("numba", "numpy"):
        with kernels.using(name):
            picked[name] = feed.pick(pref, u[0], u[1], rows=rows)
    assert np.array_equal(picked["numba"], picked["numpy"])
    none = np.isin(rows, np.arange(5))
    assert (picked["numpy"][none] == -1).all() and (picked["numpy"][~none] >= 0).all()
    assert np.array_equal(feed.pick(pref[rows], u[0], u[1]), picked["numba"])  # rows optional


@needs_numba
@pytest.mark.parametrize("seed", range(3))
def test_scatter_add_kernel_equals_its_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    index = rng.integers(0, 50, 400)  # many repeats: each adds once, in order
    for target, value in (
        (np.zeros(50, np.int32), np.int32(1)),
        (rng.random(50).astype(np.float32), np.float32(0.3)),
    ):
        (_, (numba_target, *_)), (_, (numpy_target, *_)) = _both(
            "scatter_add", target, index, value
        )
        assert np.array_equal(numba_target, numpy_target)
        assert not np.array_equal(numba_target, target)
    counts = np.zeros(50, np.int32)
    kernels.active().scatter_add(counts, index, np.int32(1))
    assert np.array_equal(counts, np.bincount(index, minlength=50))


@needs_numba
@pytest.mark.parametrize("seed", range(5))
def test_weighted_rows_kernel_equals_its_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    matrix = rng.random((300, int(rng.integers(1, 20)))).astype(np.float32)
    rows = rng.integers(0, 300, 120)
    weights = (rng.random(matrix.shape[1]) * 30).astype(np.float32)
    (numba_out, _), (numpy_out, _) = _both("weighted_rows", matrix, rows, weights)
    assert numba_out.dtype == numpy_out.dtype == np.float32
    assert np.array_equal(numba_out, numpy_out)
    assert np.allclose(numba_out, matrix[rows] @ weights, rtol=1e-5)


@needs_numba
@pytest.mark.parametrize("seed", range(5))
def test_topic_drift_kernel_equals_its_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    pref = rng.random((400, 8)).astype(np.float32)
    pref[:5] = 0  # members with no interest left: no supply, no drift target
    readers = np.sort(rng.choice(400, 250, replace=False))
    supply = (rng.random(8) * rng.integers(0, 40, 8)).astype(np.float32)
    numba_out, numpy_out = _both("drift_topics", pref, readers, supply, np.float32(0.02))
    assert np.array_equal(numba_out[1][0], numpy_out[1][0])
    assert not np.array_equal(numba_out[1][0], pref)


@needs_numba
@pytest.mark.parametrize("seed", range(5))
def test_quality_rows_kernel_equals_its_numpy_reference(seed):
    """Reading the best share of each topic: the kernel computes a topic's sum once per run of
    readers with equal shares and finds positions by galloping from the topic's start; the numpy
    reference searches every reader and topic afresh. Shares in runs, all different, 0 and 1;
    appeal weights of 1 (positions computed) and varied (positions searched); an empty topic."""
    from sim.world.platform import quality_tables

    rng = np.random.default_rng(seed)
    n_topics, n_items = 8, int(rng.integers(50, 2000))
    topic = rng.integers(0, n_topics, n_items)
    topic[topic == 5] = 4  # topic 5 has no items
    quality = rng.random(n_items).astype(np.float32)
    per_topic = np.bincount(topic, minlength=n_topics).astype(np.float32)
    pref = rng.random((500, n_topics)).astype(np.float32)
    rows = np.sort(rng.choice(500, 300, replace=False))
    runs = np.repeat(rng.random(6) ** 3, 50)  # equal shares in runs, most of them small
    varied = rng.random(300) ** 2
    varied[:3] = (0, 1, 0)
    for weight in (np.ones(n_items), rng.uniform(0.1, 3, n_items)):
        tables = quality_tables(topic, quality, weight.astype(np.float32), n_topics)
        for share in (runs, varied):
            share = share.astype(np.float32)
            (numba_out, _), (numpy_out, _) = _both(
                "quality_rows", pref, rows, share, per_topic, *tables
            )
            assert numba_out.dtype == numpy_out.dtype == np.float32
            assert np.array_equal(numba_out, numpy_out)


@needs_numba
@pytest.mark.parametrize("seed", range(4))
def test_return_candidates_kernel_equals_its_numpy_reference(seed):
    """Population.rejoin's pass: members here note their tie ends (capped at the int16 maximum),
    and those who left recently with a pull or friends are candidates to return."""
    rng = np.random.default_rng(seed)
    n = 3000
    degree = rng.integers(0, 5, n)
    degree[rng.random(n) < 0.01] = 40_000  # beyond int16: capped
    indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int32)
    alive = rng.random(n) < 0.7
    friends = np.where(alive, 0, rng.integers(0, 4, n)).astype(np.int16)
    gone_since = np.where(alive, -1, rng.integers(0, 100, n)).astype(np.int32)
    pull = np.where(rng.random(n) < 0.2, rng.random(n), 0).astype(np.float32)
    numba_out, numpy_out = _both("return_candidates", indptr, alive, friends, gone_since, pull, 40)
    assert np.array_equal(numba_out[0], numpy_out[0])
    assert numba_out[0].dtype == numpy_out[0].dtype
    assert np.array_equal(numba_out[1][2], numpy_out[1][2])  # friends, updated in place
    assert numba_out[0].size > 0 and (numba_out[1][2] == np.iinfo(np.int16).max).any()


@needs_numba
@pytest.mark.parametrize("seed", range(3))
def test_count_at_least_kernel_equals_its_numpy_reference(seed):
    """The daily role counts: values at the chosen slots at or above each bound, with values on
    the bounds and a float32 bound that is not exactly the Python float."""
    rng = np.random.default_rng(seed)
    values = (rng.random(5000) * 12).astype(np.float32)
    values[:30] = np.float32(0.5)
    values[30:60] = np.float32(0.1)
    slots = np.sort(rng.choice(5000, 3000, replace=False))
    slots[:5] = np.arange(5)
    bounds = np.asarray((0.1, 0.5, 3.0, 10.0), np.float32)
    numba_out, numpy_out = _both("count_at_least", values, slots, bounds)
    assert np.array_equal(numba_out[0], numpy_out[0])
    expected = [np.count_nonzero(values[slots] >= b) for b in (0.1, 0.5, 3.0, 10.0)]
    assert list(numba_out[0]) == expected


@needs_numba
@pytest.mark.parametrize("seed", range(3))
def test_group_kernels_equal_their_numpy_references(seed):
    """Targeting's per-member passes (sim.world.segments): contribution values (float32, bit for
    bit) and each member's (role, segment, tier) cell with the members present per cell, with
    values on the role bounds and on the tier cuts."""
    rng = np.random.default_rng(seed)
    n, day = 5000, 200
    posts = rng.integers(0, 50, n).astype(np.int32)
    received = rng.integers(0, 80, n).astype(np.int32)
    join_day = rng.integers(0, day + 1, n).astype(np.int32)
    numba_value, numpy_value = _both("contribution", posts, received, join_day, day, 30)
    assert numba_value[0].dtype == np.float32
    assert numba_value[0].tobytes() == numpy_value[0].tobytes()
    value = numpy_value[0]
    value[:40] = 0
    recent = (rng.random(n) * 14).astype(np.float32)
    recent[40:80] = np.float32(0.5)
    recent[80:120] = np.float32(10.0)
    segment = rng.integers(0, 4, n).astype(np.int8)
    alive = rng.random(n) < 0.8
    mid, high = np.float32(value[200]), np.float32(value[300])
    bounds = np.asarray((0.5, 3.0, 10.0), np.float32)
    args = (recent, join_day, segment, value, alive, day, bounds, 30, 4, mid, high, 60)
    numba_out, numpy_out = _both("group_cells", *args)
    (numba_cells, numba_members), (numpy_cells, numpy_members) = numba_out[0], numpy_out[0]
    assert np.array_equal(numba_cells, numpy_cells)
    assert np.array_equal(numba_members, numpy_members)
    assert numba_members.sum() == alive.sum()
    role, rest = np.divmod(numpy_cells, 12)
    assert (role[day - join_day < 30] == 0).all()
    assert (role[(day - join_day >= 30) & (recent == np.float32(10.0))] == 4).all()
    assert (rest // 3 == segment).all()
    tier = rest % 3
    assert (tier[value == 0] == 0).all() and (tier[value >= high] == 2).sum() > 0


def every_lever(members: int) -> Strategy:
    """Every lever, sized for a small community (as experiments/all-levers.yaml is for 2,000)."""
    return Strategy(
        hours_per_day=40.0,
        budget=50_000.0,
        content=Content(posts_per_day=6.0),
        events=Events(calendar=[Event(kind="qa", every=7, start=3, capacity=members // 5)]),
        incentives=Incentives(
            start=5,
            stop=40,
            badges=[Badge(action="reply", threshold=5), Badge(action="checkin", threshold=10)],
            ranks=[50.0, 200.0],
            leaderboard=10,
            tangible=True,
            redeem_at=100.0,
        ),
        moderation=Moderation(mode="community", false_positive_rate=0.05),
        onboarding=Onboarding(),
        recruitment=Recruitment(referral_reward=1.0),
        winback=WinBack(inactive_days=7, cadence=7),
        adaptive=Adaptive(window=7, every=7),
    )


@needs_numba
def test_a_model_run_is_identical_under_both_backends():
    runs = {}
    for name in ("numba", "numpy"):
        with kernels.using(name):
            model = CommunityModel(
                members=1500, market_size=7500, strategy=every_lever(1500), rng=5
            )
            model.run(60)
        runs[name] = model
    a, b = runs["numba"], runs["numpy"]
    assert a.series().equals(b.series())
    assert a.summary() == b.summary()
    levers = a.series()[["events_held", "points_issued", "posts_removed_false", "winback_sent"]]
    assert (levers.sum() > 0).all() and a.series()["ties"].iloc[-1] > 0
    for name in STATE_NAMES:
        assert np.array_equal(a.population.view(name), b.population.view(name)), name


_CACHE_PROBE = """
import json
from sim.model import CommunityModel
from sim.world import kernels
kernels.use("numba")
CommunityModel(members=300, market_size=1000, rng=1).run(30)
misses = {name: sum(f.stats.cache_misses.values()) for name, f in vars(kernels.active()).items()}
print(json.dumps(misses))
"""


@pytest.mark.skipif("numba" not in kernels.BACKENDS, reason="numba is not installed")
def test_a_new_process_loads_every_kernel_from_the_cache():
    """Compiling the kernels takes seconds, paid by every worker process unless numba's on-disk
    cache serves them. A kernel whose cache key changes from process to process (one calling a
    helper held in a closure) was compiled again, and one more cache file saved, every time."""

    def misses() -> dict[str, int]:
        done = subprocess.run(
            [sys.executable, "-c", _CACHE_PROBE], capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    misses()  # compiles and saves what a first process on this checkout has to
    again = misses()
    assert len(again) > 10
    assert not any(again.values()), f"compiled again in a new process: {again}"
