"""The stacked exact engine (verify.solve.batch) and its use by a hunt's sweep: every answer it
returns is certified at the engine's own target and agrees with the one-at-a-time engine in every
regime; what it cannot solve is left to the caller; the sweep's verdicts do not depend on it."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

import verify.claims.runner as runner
from verify import DEFAULT, Instance, solve, workers
from verify.claims.registry import registry
from verify.encodings import label_smoothing, one_hot
from verify.losses import Loss
from verify.solve import batch
from verify.solve.batch import solve_many


def _stochastic(K: int, seed: int) -> np.ndarray:
    A = np.random.default_rng(seed).random((K, K)) ** 3
    return A / A.sum(axis=0)


def _grid() -> list[Instance]:
    """Every regime of the CE UFM at K = 2..5: encodings (one-hot, label smoothing, a random
    soft target), counts (balanced, imbalanced), lambda_b (0, small, large, inf), c on both
    sides of the zero-minimiser threshold, d = K and d > K."""
    out = []
    for K in (2, 3, 4, 5):
        encodings = [one_hot(K), label_smoothing(K, 0.2), _stochastic(K, K)]
        counts = [(4,) * K, tuple(1 + 3 * k for k in range(K))]
        for e, Y in enumerate(encodings):
            for n in counts:
                nbar = sum(n) / K
                for c in (0.05, 0.6, 1.3):  # c = K sqrt(nbar lambda_W lambda_H)
                    lam = c / (K * math.sqrt(nbar))
                    for lb in (0.0, 1e-3, 1.0, math.inf):
                        d = K + (e + len(n)) % 2
                        out.append(Instance(Y, n, d, lam, lam, lb, loss="ce"))
    return out


def test_stacked_solves_agree_with_the_engine_in_every_regime():
    instances = _grid()
    stacked = solve_many(instances)
    assert all(s is not None for s in stacked), [
        i.describe() for i, s in zip(instances, stacked, strict=True) if s is None
    ]
    ranks = set()
    for inst, s in zip(instances, stacked, strict=True):
        one = solve(inst)
        c = s.certificate
        limit = DEFAULT.gap / (10 if s.details["newton_stalled"] else 100)
        assert c.certified and c.relative_gap <= limit, inst.describe()
        assert s.engine == "exact" and s.details["batch"] > 1
        # the same minimum (both gaps are below 1e-12) and the same regime
        assert c.primal == pytest.approx(one.certificate.primal, rel=1e-11, abs=1e-300)
        assert s.details["rank"] == one.details["rank"]
        ranks.add(s.details["rank"])
        if math.isinf(inst.lambda_b):
            assert not np.any(s.b)
        elif inst.lambda_b > 0:  # unique, and with no component along 1 (shift invariance)
            assert abs(s.b.sum()) <= 1e-12 * max(1.0, float(np.abs(s.b).max()))
    assert {0, 1, 2, 3, 4} <= ranks  # the zero minimiser and every rank up to K - 1 = 4


class _NoHessian(Loss):
    name = "no-hessian"
    smoothness = 1.0

    def value(self, Z, Y):
        return 0.5 * ((Z - Y) ** 2).sum(axis=0)

    def gradient(self, Z, Y):
        return Z - Y


def test_what_it_cannot_stack_is_left_to_the_caller():
    mse = Instance(one_hot(3), (2, 2, 2))
    large = Instance(one_hot(9), (2,) * 9, loss="ce")
    plain = Instance(one_hot(3), (2, 2, 2), loss=_NoHessian())
    ce = Instance(one_hot(3), (2, 2, 2), loss="ce")
    out = solve_many([mse, large, plain, ce])
    assert out[:3] == [None, None, None]
    assert out[3] is not None and out[3].certified


def test_an_answer_the_certificate_rejects_is_not_returned(monkeypatch):
    # a stacked solve is trusted no more than any engine: 1% off the minimiser, it is dropped
    finish = batch.finish
    monkeypatch.setattr(batch, "finish", lambda inst, X, b, d: finish(inst, 1.01 * X, b, d))
    instances = _grid()[:24]
    assert all(s is None or s.details["rank"] == 0 for s in solve_many(instances))


def test_the_sweep_solves_its_blocks_together_and_its_verdicts_do_not_depend_on_it(monkeypatch):
    claim = registry()["hong-ling-nc1"]
    blocks: list[int] = []

    def recording(instances, tol):
        blocks.append(len(instances))
        return solve_many(instances, tol)

    def search():
        outcomes: list = []
        runner.run_search(claim, 120, 3, DEFAULT, "exact", outcomes, corners=False, sweep=True)
        return outcomes

    monkeypatch.setattr(runner, "solve_many", recording)
    stacked = search()
    assert blocks and max(blocks) > 50
    monkeypatch.setattr(runner, "solve_many", lambda instances, tol: [None] * len(instances))
    alone = search()
    assert [o.case.describe() for o in stacked] == [o.case.describe() for o in alone]
    assert [o.status for o in stacked] == [o.status for o in alone]
    for a, b in zip(stacked, alone, strict=True):
        for name, value in a.residuals.items():
            assert value == pytest.approx(b.residuals[name], abs=DEFAULT.residual)


def test_workers_come_from_a_fork_server_preloaded_with_what_they_need():
    # not forked from this process (its BLAS and solver thread pools would be copied mid-state),
    # nor spawned (3.4 s of imports a worker)
    context = workers.context()
    assert context.get_start_method() == "forkserver"
    assert workers.PRELOAD == "verify.hunt.worker"
    worker = importlib.import_module(workers.PRELOAD)
    assert "hong-ling-nc1" in worker.registry()
