"""Simulations: pure functions on arrays, with object-level entry points.

Modules
-------
network
    Fibre tree (minimum spanning tree on the spherical Delaunay graph),
    technology choice by least lifetime cost, Steiner trees on road graphs.
rollout
    Budget-limited month-by-month schedule along the tree.
planning
    ``plan_network(region)`` and ``schedule_rollout(plan)``: the object layer.
roads
    Fibre along a user's road graph (Steiner-tree approximation).
calibrate
    Fitting rollout parameters to observed connection counts.
adoption
    Bass closed form and the spatial Bass simulation core.
outcomes
    Coverage, transactions, travel saved, costs, IDM projection.
ensemble
    Monte Carlo ensembles of a scenario: ``simulate`` and ``compare``.
"""

from smartkampung.sim.ensemble import Comparison, PreparedScenario, compare, prepare, simulate
from smartkampung.sim.planning import NetworkPlan, plan_network, schedule_rollout
from smartkampung.sim.results import SimulationResult
from smartkampung.sim.roads import RoadGraph, road_fibre_tree
from smartkampung.sim.rollout import RolloutSchedule

__all__ = [
    "Comparison",
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
