"""A Mesa (3.x) model of the spatial Bass adoption equations, for benchmarking.

One agent per village, implementing exactly the equations of
:func:`smartkampung.sim.adoption.simulate_adoption` the way a Mesa user would
write them: each step every agent first computes its new adopters from the
state before the step (``decide``), then all agents apply them (``advance``),
so the update is synchronous like the array core's.

This is the comparison point for the DESIGN.md figure "≥ 40× Mesa"; it is not
part of the library and mesa is imported only here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import mesa  # type: ignore[import-untyped]
import numpy as np
from numpy.typing import NDArray

__all__ = ["AdoptionModel", "VillageAgent", "run_mesa"]


class VillageAgent(mesa.Agent):  # type: ignore[misc]
    """One village: its market, start step, coefficients and adopters.

    Parameters
    ----------
    model : AdoptionModel
        The model it belongs to.
    market : int or float
        Households that may adopt. [households]
    start_step : int
        First step at which it can adopt. [steps]
    p, q : float
        Bass coefficients. [month⁻¹]
    """

    def __init__(self, model: AdoptionModel, market: float, start_step: int, p: float, q: float) -> None:
        super().__init__(model)
        self.market = market
        self.start_step = start_step
        self.p = p
        self.q = q
        self.adopters: float = 0
        self.fraction = 0.0
        self.new: float = 0
        self.neighbours: list[VillageAgent] = []

    def decide(self) -> None:
        """Compute this step's new adopters from the state before the step."""
        model: AdoptionModel = self.model
        self.new = 0
        if model.t < self.start_step:
            return
        spill = 0.0
        if self.neighbours:
            spill = sum(v.fraction for v in self.neighbours) / len(self.neighbours)
        hazard = self.p + self.q * ((1.0 - model.w) * self.fraction + model.w * spill)
        prob = -math.expm1(-hazard * model.dt)
        remaining = self.market - self.adopters
        if model.stochastic:
            self.new = int(model.rng.binomial(int(remaining), prob))
        else:
            self.new = remaining * prob

    def advance(self) -> None:
        """Apply the new adopters."""
        self.adopters += self.new
        self.fraction = self.adopters / self.market if self.market > 0 else 0.0


class AdoptionModel(mesa.Model):  # type: ignore[misc]
    """Spatial Bass adoption with one :class:`VillageAgent` per village.

    Parameters
    ----------
    market : sequence of int, shape (n_villages,)
        Households that may adopt. [households]
    start_step : sequence of int, shape (n_villages,)
        First step each village can adopt. [steps]
    neighbours : array of int, shape (n_villages, k)
        Neighbour indices, equal weights.
    p, q : float
        Bass coefficients. [month⁻¹]
    w : float
        Neighbour weight in [0, 1].
    dt : float
        Step length. [months]
    stochastic : bool
        Binomial draws or deterministic equations.
    rng : seed or Generator
        Passed to :class:`mesa.Model`.
    """

    def __init__(
        self,
        market: Sequence[float] | NDArray[Any],
        start_step: Sequence[int] | NDArray[Any],
        neighbours: NDArray[Any],
        *,
        p: float,
        q: float,
        w: float,
        dt: float = 1.0,
        stochastic: bool = True,
        rng: Any = None,
    ) -> None:
        super().__init__(rng=rng)
        self.w = w
        self.dt = dt
        self.stochastic = stochastic
        self.t = 0
        self.villages = [VillageAgent(self, m, int(s), p, q) for m, s in zip(market, start_step, strict=True)]
        for agent, row in zip(self.villages, neighbours, strict=True):
            agent.neighbours = [self.villages[int(j)] for j in row]

    def step(self) -> None:
        """Advance one step: every agent decides, then every agent advances."""
        self.agents.do("decide")
        self.agents.do("advance")
        self.t += 1


def run_mesa(
    market: NDArray[Any],
    start_step: NDArray[Any],
    neighbours: NDArray[Any],
    *,
    p: float,
    q: float,
    w: float,
    steps: int,
    dt: float = 1.0,
    stochastic: bool = True,
    rng: Any = None,
) -> NDArray[np.float64]:
    """Run the Mesa model for ``steps`` steps; adopters after each step, shape (steps, n_villages)."""
    model = AdoptionModel(market, start_step, neighbours, p=p, q=q, w=w, dt=dt, stochastic=stochastic, rng=rng)
    out = np.empty((steps, len(model.villages)))
    for t in range(steps):
        model.step()
        out[t] = [v.adopters for v in model.villages]
    return out
