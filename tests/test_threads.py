"""Scoped BLAS thread limits: one thread inside the block, restored after, and nothing without threadpoolctl."""

from __future__ import annotations

import sys

import pytest

from smartkampung import _threads


def test_one_blas_thread_limits_and_restores() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [p["num_threads"] for p in threadpoolctl.threadpool_info()]
    with _threads.one_blas_thread():
        assert all(p["num_threads"] == 1 for p in threadpoolctl.threadpool_info())
    assert [p["num_threads"] for p in threadpoolctl.threadpool_info()] == before


def test_without_threadpoolctl_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import fails
    _threads._controller.cache_clear()
    try:
        with _threads.one_blas_thread():
            pass
        _threads.limit_blas_threads()
        assert _threads._controller() is None
    finally:
        _threads._controller.cache_clear()
