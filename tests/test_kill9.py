"""kill -9 mid-burst, five times: every acknowledged inquiry and claim is stored and the
audit chain verifies (`bench.bench_kill9` runs more rounds). A real `curbside serve`
subprocess on loopback, real SQLite (or PostgreSQL in server mode) and index."""

from __future__ import annotations

import shutil

from bench import bench_kill9


def test_nothing_acknowledged_is_lost_across_five_kill9_rounds(content_home, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copytree(content_home / "index", home / "index")  # the shipped cards, read-only
    report = bench_kill9.run(home, rounds=5, clients=10, workers=1, burst_seconds=3.0, seed=7)
    print("\n".join(report.lines()))
    assert report.inquiries_acknowledged >= 10, report.lines()  # the bursts really ran
    assert report.claims_acknowledged >= 3, report.lines()
    assert report.inquiries_stored == report.inquiries_acknowledged, report.lines()
    assert report.claims_stored == report.claims_acknowledged, report.lines()
    assert report.audit_exit == 0, report.audit_output
