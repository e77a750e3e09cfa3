"""Step 3 of a run, for one run or a batch of runs: every service's adoption, reduced to what the outcomes use.

A batch of runs shares the villages, markets and neighbours; each run has
its own connection months, Bass multipliers and random streams. Each service
is simulated for a group of runs in one call of
:func:`~smartkampung.sim._adoption_batch.adopt_batch` (runs laid side by side
in one wide vector, or the compiled kernel), so a small region's ensemble is
stepped like a large region. Run ``r``, service ``s`` draws from the child
``s`` of the run's adoption stream and nothing else: with the numpy backend a
run's numbers are those of
``simulate_adoption(..., runs=1, rng=<that child>)`` whatever the batch, and
with either backend they do not depend on which runs share its batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung._typing import spawn_generators
from smartkampung._validation import check_choice
from smartkampung.model._programme import AdoptionModel
from smartkampung.sim._adoption_batch import BACKENDS, adopt_batch
from smartkampung.sim._adoption_summary import BatchSummary, adopt_batch_summary, summarise
from smartkampung.sim._draws import RunDraws
from smartkampung.sim._prepared import PreparedScenario
from smartkampung.sim.adoption import linear_adoption
from smartkampung.sim.rollout import RolloutSchedule

__all__ = ["BATCH_BYTES", "Adoption", "adopt", "adopt_runs", "service_streams"]

#: Most adopters held at once while a group of runs of one service is simulated
#: (``runs x months x villages`` numbers); larger batches are split into groups. [bytes]
BATCH_BYTES: Final[int] = 64 * 2**20


@attrs.frozen(eq=False)
class Adoption:
    """What the outcomes need of every service's adoption in one run (no per-village months).

    Attributes
    ----------
    totals : ndarray of float64, shape (n_services, n_months)
        Adopters of each service per month, over all villages. [households]
    hours_saved : ndarray of float64, shape (n_months,)
        Travel time saved per month by all services. [h/month]
    half_month : ndarray of int32, shape (n_services, n_villages)
        First month with at least half of the market adopting; -1 if never.
    final_fraction : ndarray of float32, shape (n_services, n_villages)
        Share of the market adopting at the horizon.
    driver_adopters : ndarray of float64, shape (n_drivers, n_years, n_villages)
        For each adoption fraction an IDM effect rule reads
        (``PreparedIDM.drivers``: a service, or the services of an IDM
        dimension), its adopters at each IDM year's data cut-off (0 before
        the start); ``(0, 0, n_villages)`` without IDM. [households]
    driver_market : ndarray of float64, shape (n_drivers, n_villages)
        Their markets. [households]
    trajectories : ndarray, shape (n_services, n_months, n_villages), optional
        Adopters per month and village, when asked for. [households]
    """

    totals: NDArray[np.float64]
    hours_saved: NDArray[np.float64]
    half_month: NDArray[np.int32]
    final_fraction: NDArray[np.float32]
    driver_adopters: NDArray[np.float64]
    driver_market: NDArray[np.float64]
    trajectories: NDArray[Any] | None = None


def service_streams(adoption_seed: np.random.SeedSequence, n_services: int) -> list[np.random.SeedSequence]:
    """The streams of a run's services: the children ``0 .. n_services-1`` of its adoption seed.

    Built from the seed's spawn key, so asking twice gives the same streams
    (``SeedSequence.spawn`` would give new children the second time).
    """
    return [
        np.random.SeedSequence(
            adoption_seed.entropy, spawn_key=(*adoption_seed.spawn_key, s), pool_size=adoption_seed.pool_size
        )
        for s in range(n_services)
    ]


def adopt(
    prepared: PreparedScenario,
    schedule: RolloutSchedule,
    draws: RunDraws,
    *,
    keep_trajectories: bool = False,
    backend: str = "numpy",
) -> Adoption:
    """Step 3: every service's adoption from its villages' connection months plus its lag.

    Parameters
    ----------
    prepared : PreparedScenario
    schedule : RolloutSchedule
        The run's schedule (:func:`~smartkampung.sim.run.schedule_run`).
    draws : RunDraws
        The run's draws (:func:`~smartkampung.sim.run.draw`).
    keep_trajectories : bool
        Also keep adopters per service, month and village.
    backend : {"numpy", "numba"}
        Adoption kernel (see :func:`~smartkampung.sim._adoption_batch.adopt_batch`).

    Returns
    -------
    Adoption
    """
    return adopt_runs(prepared, [schedule], [draws], keep_trajectories=keep_trajectories, backend=backend)[0]


def adopt_runs(
    prepared: PreparedScenario,
    schedules: Sequence[RolloutSchedule],
    draws: Sequence[RunDraws],
    *,
    keep_trajectories: bool = False,
    backend: str = "numpy",
) -> list[Adoption]:
    """Step 3 for several runs at once; element ``r`` equals ``adopt(prepared, schedules[r], draws[r])``.

    Each service's Bass adoption is simulated for groups of runs of at most
    :data:`BATCH_BYTES` of adopters, then reduced run by run.
    """
    check_choice(backend, "backend", "adopt_runs", BACKENDS)
    services = prepared.scenario.programme.services
    T, n, R, S = prepared.n_months, prepared.n_villages, len(schedules), len(services)
    idm = prepared.idm
    if idm is not None:
        sample_months, driver_services = idm.sample_months, idm.driver_services
    else:
        sample_months, driver_services = np.zeros(0, dtype=np.int64), np.zeros((0, S), dtype=bool)
    valid = (sample_months >= 0) & (sample_months < T)
    totals = np.zeros((R, S, T))
    hours = np.zeros((R, T))
    driver_adopters = np.zeros((R, driver_services.shape[0], len(sample_months), n))
    driver_market = np.zeros((driver_services.shape[0], n))
    half_month = np.full((R, S, n), -1, dtype=np.int32)
    final_fraction = np.zeros((R, S, n), dtype=np.float32)
    trajectories: list[NDArray[Any] | None] = [None] * R
    conn = np.stack([np.minimum(s.connection_month, T) for s in schedules]) if R else np.zeros((0, n), np.int64)
    streams = [service_streams(d.adoption_seed, S) for d in draws]
    marks = sample_months[valid]
    fused = backend == "numba" and prepared.scenario.adoption.stochastic and not keep_trajectories
    # The compiled kernel sums each step itself: a batch holds no trajectories, so all runs go at once.
    group = R if fused else max(1, BATCH_BYTES // max(1, 4 * T * n))
    for s, svc in enumerate(services):
        market = prepared.market[s]
        # Round-trip hours saved by one adopting household in a month. [h/month]
        hours_per_adopter = prepared.hours_per_transaction * (svc.transactions_per_household_per_year / 12.0)
        has_market = market > 0
        market_or_1 = np.maximum(market, 1)
        drivers = np.flatnonzero(driver_services[:, s])
        driver_market[drivers] += market
        for lo in range(0, max(R, 1), max(group, 1)):
            runs = range(lo, min(lo + group, R))
            if not runs:
                break
            summary, adopters = _service_summary(
                prepared,
                svc,
                s,
                conn[lo : runs.stop],
                [draws[r] for r in runs],
                [streams[r][s] for r in runs],
                backend,
                hours_per_adopter,
                marks,
                keep_trajectories,
            )
            for k, r in enumerate(runs):
                totals[r, s] = summary.totals[k]
                hours[r] += summary.weighted[k]
                half_month[r, s] = summary.half_step[k]
                final_fraction[r, s] = np.where(has_market, summary.final[k] / market_or_1, 0.0)
                for d in drivers:
                    driver_adopters[r, d, valid] += summary.samples[k]
                if adopters is not None:
                    if trajectories[r] is None:
                        trajectories[r] = np.zeros((S, T, n), dtype=adopters.dtype)
                    trajectories[r][s] = adopters[k]  # type: ignore[index]
            del adopters, summary
    return [
        Adoption(
            totals=totals[r],
            hours_saved=hours[r],
            half_month=half_month[r],
            final_fraction=final_fraction[r],
            driver_adopters=driver_adopters[r],
            driver_market=driver_market,
            trajectories=trajectories[r],
        )
        for r in range(R)
    ]


def _service_summary(
    prepared: PreparedScenario,
    svc: Any,
    s: int,
    conn: NDArray[np.int64],
    draws: Sequence[RunDraws],
    streams: Sequence[np.random.SeedSequence],
    backend: str,
    weights: NDArray[np.float64],
    marks: NDArray[np.int64],
    keep: bool,
) -> tuple[BatchSummary, NDArray[Any] | None]:
    """One service in a group of runs: its summary, and its adopters (runs, n_months, n_villages) if kept."""
    ad = prepared.scenario.adoption
    T = prepared.n_months
    market = prepared.market[s]
    start = conn + svc.lag_months
    if svc.adoption_model is AdoptionModel.BASS:
        p = np.array([svc.p_innovation * d.p_multiplier for d in draws])
        q = np.array([svc.q_imitation * d.q_multiplier for d in draws])
        # The generator simulate_adoption(..., runs=1, rng=stream) makes of each stream.
        generators = [spawn_generators(seq, 1, "adopt")[0] for seq in streams] if ad.stochastic else None
        kw: dict[str, Any] = {
            "p": p,
            "q": q,
            "w": ad.neighbour_weight,
            "steps": T,
            "stochastic": ad.stochastic,
            "generators": generators,
            "backend": backend,
        }
        if not keep:
            return adopt_batch_summary(
                market, start, prepared.neighbours, weights=weights, sample_steps=marks, **kw
            ), None
        adopters = adopt_batch(market, start, prepared.neighbours, **kw)
    else:
        steps_since = np.arange(T)[None, :, None] - start[:, None, :] + 1
        adopters = linear_adoption(steps_since, svc.linear_rate, m=market)
        if ad.stochastic:
            adopters = np.floor(adopters).astype(np.int32)
    return summarise(adopters, market, weights, marks), adopters if keep else None
