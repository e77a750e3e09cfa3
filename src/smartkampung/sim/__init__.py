"""Simulations: pure functions on arrays, one model per module, with object-level entry points.

Modules
-------
geometry
    Great-circle distances, unit vectors, nearest points of presence and
    nearest villages on the sphere.
tree
    The minimum fibre tree (exact spanning tree on the spherical Delaunay
    graph) and tree arithmetic (depths, ancestor reductions, subtree sums).
technology
    Least-lifetime-cost technology per village, exact over the tree.
roads
    Fibre along a user's road graph (Mehlhorn's Steiner-tree approximation).
policies
    The order in which a policy connects villages.
rollout
    Budget-limited month-by-month schedule along the tree.
planning
    ``plan_network(region)`` and ``schedule_rollout(plan)``: the object layer.
adoption
    Bass closed form and the spatial Bass simulation core.
outcomes
    Coverage, transactions, travel saved, costs.
idm
    The IDM from its indicators: dynamics fitted to the ministry's panel,
    programme effects, projection from an observed state.
distributions
    Inverse CDFs of the scenario's uncertain assumptions.
calibrate
    Fitting rollout parameters to observed connection counts.
metrics
    The table of monthly metrics (name, unit, stock or flow).
run
    One run as named steps: prepare, draw, schedule, adopt, outcomes.
results
    The reduce step, ``SimulationResult`` and ``Comparison``.
ensemble
    Monte Carlo ensembles: ``simulate`` and ``compare``.

Nothing here reads a file: regions come in as :class:`~smartkampung.model.Region`
objects (see :func:`smartkampung.io.read_region`).
"""

from smartkampung.sim.ensemble import compare, simulate
from smartkampung.sim.idm import IDMInputs
from smartkampung.sim.planning import NetworkPlan, plan_network, schedule_rollout
from smartkampung.sim.results import Comparison, SimulationResult
from smartkampung.sim.roads import RoadGraph, road_fibre_tree
from smartkampung.sim.rollout import RolloutSchedule
from smartkampung.sim.run import PreparedScenario, prepare

__all__ = [
    "Comparison",
    "IDMInputs",
    "NetworkPlan",
    "PreparedScenario",
    "RoadGraph",
    "RolloutSchedule",
    "SimulationResult",
    "compare",
    "plan_network",
    "prepare",
    "road_fibre_tree",
    "schedule_rollout",
    "simulate",
]
