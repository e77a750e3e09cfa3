"""The fold of an ensemble's runs: per-run rows and per-village running sums, in run order.

:class:`RunAccumulator` takes each run's output as it arrives, in run order
(so floating-point sums are bit-identical however the runs were spread over
workers); :class:`smartkampung.sim.results.Reducer` builds the result from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartkampung.sim.run import PreparedScenario, RunOutput, draw_names

__all__ = ["RunAccumulator"]


class RunAccumulator:
    """Folds run outputs, in run order, into the arrays of an ensemble's result.

    Per run it keeps the monthly metrics, the draws and the IDM counts; per
    village only running sums (connection, half adoption, final share), so
    memory does not grow with the runs beyond ``runs × metrics × months``
    (and the trajectories, when asked for).
    """

    def __init__(
        self,
        prepared: PreparedScenario,
        runs: int,
        root: np.random.SeedSequence,
        keep: bool,
        quantile_levels: tuple[float, ...],
        backend: str = "numpy",
    ) -> None:
        sc = prepared.scenario
        n, t = prepared.n_villages, prepared.n_months
        n_services = len(sc.programme.services)
        self.prepared = prepared
        self.runs = runs
        self.root = root
        self.backend = backend
        self.quantile_levels = quantile_levels
        self.next_index = 0
        self.draw_names = draw_names(sc)
        self.monthly = np.zeros((runs, len(prepared.metric_names), t))
        self.draws = np.zeros((runs, len(self.draw_names)))
        self.idm_counts = np.zeros((runs, len(prepared.year_labels), prepared.n_statuses), dtype=np.int64)
        self.n_connected = np.zeros(n)
        self.sum_connection_month = np.zeros(n)
        self.n_half = np.zeros((n_services, n))
        self.sum_half_month = np.zeros((n_services, n))
        self.sum_final = np.zeros((n_services, n))
        self.trajectories: NDArray[Any] | None = None
        self.keep = keep

    def add(self, out: RunOutput) -> None:
        if out.index != self.next_index:
            raise RuntimeError(f"run {out.index} arrived out of order (expected {self.next_index})")
        r = out.index
        t = self.prepared.n_months
        self.monthly[r] = out.monthly
        self.draws[r] = out.draws
        self.idm_counts[r] = out.idm_counts
        connected = out.connection_month < t
        self.n_connected += connected
        self.sum_connection_month += np.where(connected, out.connection_month, 0)
        reached = out.half_month >= 0
        self.n_half += reached
        self.sum_half_month += np.where(reached, out.half_month, 0)
        self.sum_final += out.final_fraction
        if self.keep and out.trajectories is not None:
            if self.trajectories is None:
                self.trajectories = np.zeros((self.runs, *out.trajectories.shape), dtype=out.trajectories.dtype)
            self.trajectories[r] = out.trajectories
        self.next_index += 1
