"""
The same ensemble on a Dask cluster
===================================

``simulate`` takes any :class:`concurrent.futures.Executor`. Dask's
distributed scheduler provides one with ``Client.get_executor()``, so an
ensemble moves from a laptop to a cluster by changing one argument, and the
result is bit-identical to the serial run with the same seed (each run has
its own random stream, and results are folded in run order).

Here a local cluster of two worker processes stands in for a real one; on a
real cluster, pass the scheduler's address to ``Client``.
"""

# %%
import attrs
from distributed import Client, LocalCluster

import smartkampung as sk

scenario = attrs.evolve(sk.datasets.banyuwangi_scenario(), horizon_months=60)
region = sk.read_region(scenario.region)
# Plan once and ship the arrays to the workers; the IDM projection's data (fitted dynamics, donor
# records) travel with them, since the numeric core reads no file.
prepared = sk.sim.prepare(scenario, region, idm=sk.datasets.idm_inputs())

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
        on_dask = sk.simulate(prepared, runs=40, rng=11, executor=client.get_executor(), chunk_size=5)
    serial = sk.simulate(prepared, runs=40, rng=11)
    print("identical to the serial run:", on_dask == serial)
    print(on_dask.summary())
