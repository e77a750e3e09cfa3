"""The flagship's projection as docs/models.rst reports it: desa connected and IDM status, with bands.

Run as ``python benchmarks/flagship_projection.py`` (about 20 s). Prints:

* desa connected by month (10 / 50 / 90 % over 200 runs, ``rng=2016``) and
  the share of runs with all 189 desa (and all 217 villages) connected:
  the table of "Banyuwangi: the fit, the projection, the check";
* desa per IDM status per year, with the counterfactual and the no-rules
  variant on common random numbers (``sk.compare``, 200 runs, ``rng=2016``):
  the Banyuwangi IDM table, the per-run programme-minus-counterfactual
  differences and the check that the counterfactual is never ahead.
"""

from __future__ import annotations

import time

import attrs
import numpy as np

import smartkampung as sk


def main() -> None:
    sc = sk.datasets.banyuwangi_scenario()
    idm = sc.outcomes.idm
    cf = attrs.evolve(
        sc, name="counterfactual", outcomes=attrs.evolve(sc.outcomes, idm=attrs.evolve(idm, counterfactual=True))
    )
    no_rules = attrs.evolve(sc, name="no rules", outcomes=attrs.evolve(sc.outcomes, idm=attrs.evolve(idm, effects=())))
    start = time.perf_counter()
    res, rcf, rnr = sk.compare([sc, cf, no_rules], runs=200, rng=2016).results
    print(f"3 scenarios x 200 runs in {time.perf_counter() - start:.1f} s")

    desa, villages = res.metric("villages_connected:desa"), res.metric("villages_connected")
    print("\nDesa connected, 10 / 50 / 90 % over runs")
    for label in ("2017-09", "2018-05", "2018-12", "2019-06", "2019-12", "2020-06", "2020-12"):
        m = res.month_labels.index(label)
        lo, mid, hi = np.quantile(desa[:, m], [0.1, 0.5, 0.9])
        print(
            f"  {label}: {lo:.0f} {mid:.0f} {hi:.0f}   all 189 desa in {np.mean(desa[:, m] == 189):.0%} of runs, "
            f"all 217 villages in {np.mean(villages[:, m] == 217):.0%}"
        )

    print(
        "\nDesa per IDM status, median [10 %, 90 %]: Berkembang | Maju | Mandiri | counterfactual Mandiri | "
        "no-rules Mandiri"
    )
    q = [r.idm_quantiles((0.1, 0.5, 0.9)) for r in (res, rcf, rnr)]
    for i, year in enumerate(res.year_labels):
        cells = [f"{q[0][1][i, k]:.0f} [{q[0][0][i, k]:.0f}, {q[0][2][i, k]:.0f}]" for k in (2, 3, 4)]
        cells += [f"{q[j][1][i, 4]:.0f} [{q[j][0][i, 4]:.0f}, {q[j][2][i, 4]:.0f}]" for j in (1, 2)]
        print(f"  {year}: " + " | ".join(cells) + f"   (counterfactual Berkembang {q[1][1][i, 2]:.0f})")
    st = res.idm_counts[:, :, 0]
    print(
        f"  runs with a Sangat Tertinggal desa: {int((st.sum(axis=1) > 0).sum())}; Tertinggal at most "
        f"{q[0][2][:, 1].max():.0f} in the 90 % quantile"
    )
    diff = res.idm_counts[:, :, 4] - rcf.idm_counts[:, :, 4]
    for i, year in enumerate(res.year_labels):
        lo, mid, hi = np.quantile(diff[:, i], [0.1, 0.5, 0.9])
        print(f"  {year}: programme minus counterfactual, Mandiri per run: {mid:.0f} [{lo:.0f}, {hi:.0f}]")
    ahead = any(
        bool((rcf.idm_counts[:, :, k:].sum(axis=2) > res.idm_counts[:, :, k:].sum(axis=2)).any()) for k in range(1, 5)
    )
    print(f"  the counterfactual ahead in any run, year and status: {ahead}")


if __name__ == "__main__":
    main()
