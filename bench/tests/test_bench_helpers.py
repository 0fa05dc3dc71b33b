"""The benchmarks' own arithmetic and the wrk script, without a database.

Run with ``PYTHONPATH=src .venv/bin/python -m pytest -p no:xdist -q bench/tests`` (not part
of the suite's test paths: the benchmarks are tools beside the product)."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BENCH))

import bench_mixed  # noqa: E402
import bench_resilience  # noqa: E402
import bench_throughput  # noqa: E402


def timeline(*statements: str) -> list[tuple[float, float, str]]:
    """Statements one millisecond apart, each taking half a millisecond."""
    return [(index * 1e-3, index * 1e-3 + 5e-4, sql) for index, sql in enumerate(statements)]


def test_lock_holds_in_the_request_path_design():
    # given a create that locks the number row, then the chain head, then commits
    events = timeline(
        'SELECT 1 FROM "cases_casenumbersequence" WHERE id = 1 FOR UPDATE',
        'INSERT INTO "cases_case" VALUES (1)',
        'SELECT 1 FROM "core_auditchainhead" WHERE id = 1 FOR UPDATE',
        'INSERT INTO "core_auditevent" VALUES (1)',
        "COMMIT",
        'UPDATE "core_auditchainhead" SET sequence = 2',
    )
    # when
    holds = bench_throughput._lock_holds(events)
    # then: from the end of the locking statement to the end of COMMIT
    assert holds["number"] == pytest.approx(4e-3)
    assert holds["head"] == pytest.approx(2e-3)
    assert holds["advisory"] == 0.0
    assert holds["head_updates"] == 1
    assert holds["head_after"] == pytest.approx(5e-4)


def test_lock_holds_count_an_update_or_advisory_lock_and_nothing_after_commit():
    events = timeline(
        'INSERT INTO "cases_case" VALUES (1)',
        "SELECT pg_advisory_xact_lock(42)",
        'UPDATE "cases_casenumbersequence" SET last = last + 1',
        "COMMIT",
        'SELECT 1 FROM "core_auditchainhead" FOR UPDATE',
    )
    holds = bench_throughput._lock_holds(events)
    assert holds["advisory"] == pytest.approx(2e-3)
    assert holds["number"] == pytest.approx(1e-3)
    assert holds["head"] == 0.0  # the head was only read after the commit


def test_lock_holds_are_zero_when_the_request_takes_no_shared_lock():
    events = timeline(
        "SELECT nextval('cases_number_sfq_2026')",
        'SELECT 1 FROM "cases_casenumbersequence"',  # a read without FOR UPDATE
        'INSERT INTO "core_auditevent" VALUES (1), (2)',
        "COMMIT",
    )
    holds = bench_throughput._lock_holds(events)
    assert (holds["number"], holds["head"], holds["advisory"]) == (0.0, 0.0, 0.0)
    assert bench_throughput._lock_holds(timeline("SELECT 1")) == {}


def test_longest_gap_includes_the_ends():
    assert bench_resilience.longest_gap([2.0, 3.0, 9.0], 1.0, 10.0) == pytest.approx(6.0)
    assert bench_resilience.longest_gap([], 1.0, 4.0) == pytest.approx(3.0)


def test_statuses_split_into_errors_and_unanswered():
    status = {"200": 5.0, "302": 1.0, "429": 2.0, "500": 1.0, "socket": 3.0}
    assert bench_mixed._errors(status) == 3
    assert bench_mixed._unanswered(status) == 3
    assert bench_mixed._error_codes(status) == "429 × 2, 500 × 1"


def test_lua_literals():
    assert bench_mixed._lua({"a": [1, "办件"], "b": True}) == '{["a"] = {1, "办件"}, ["b"] = true}'


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request; a POST to /api/v1/cases creates "case" N."""

    seen: list[tuple[str, str]] = []
    created = 0

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        Recorder.seen.append(("GET", self.path))
        self._answer(404 if self.path.startswith("/board/") else 200, {})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        Recorder.seen.append(("POST", self.path))
        if self.path == "/api/v1/cases":
            Recorder.created += 1
            self._answer(201, {"number": f"SFQ-2026-{Recorder.created:06d}"})
        else:
            self._answer(200, {"status": "in_review"})


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # wrk closing at the end of its run
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_the_wrk_script_times_each_kind_and_accepts_what_it_submitted(tmp_path):
    # given a server that answers everything, and a mix
    server = QuietServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    person = {"sessionid": "s", "csrftoken": "c", "applicant": 7}
    data = {
        "item": "ITEM",
        "catalog": ["/items/"],
        "search": ["/api/v1/search?q=x"],
        "track": ["/track/?number=1&code=2"],
        "verify": ["/verify/X?c=Y"],
    }
    people = {"applicants": [person], "clerks": [person], "supervisors": [person]}
    mix = ["catalog", "search", "track", "verify", "inbox", "board", "submit"]
    data_file = tmp_path / "mix.lua"
    bench_mixed.write_data_file(data_file, data, people, port, mix)
    try:
        # when
        result = bench_mixed.run_wrk(port, data_file, connections=2, seconds=2)
    finally:
        server.shutdown()
    # then every kind was sent and timed, the board's 404 is an error, and every
    # submitted case was accepted by its number
    kinds = result["kinds"]
    assert set(kinds) == {*mix, "accept"}
    assert all(kinds[kind]["n"] > 0 and kinds[kind]["p95"] > 0 for kind in kinds)
    assert bench_mixed._errors(kinds["board"]["status"]) == kinds["board"]["n"]
    assert bench_mixed._errors(kinds["catalog"]["status"]) == 0
    # every request was answered (wrk's own check of the first request is not one)
    assert sum(bench_mixed._unanswered(kinds[kind]["status"]) for kind in kinds) == 0
    accepted = {path for method, path in Recorder.seen if path.endswith("/actions/accept")}
    assert accepted and all(path.startswith("/api/v1/cases/SFQ-2026-") for path in accepted)
    assert abs(kinds["submit"]["n"] - kinds["accept"]["n"]) <= 2  # the run may end between


def test_has_command_reads_the_trees_command_list(monkeypatch):
    listed = subprocess.CompletedProcess([], 0, stdout="audit_verify\nmigrate\n", stderr="")
    monkeypatch.setattr(bench_throughput, "onewindow_command", lambda *a, **k: listed)
    assert bench_throughput.has_command("audit-verify")
    assert not bench_throughput.has_command("audit-chain")


def test_resilience_events_in_the_order_they_happened():
    events = ["12.0 s: the chainer killed", "first acknowledged", "9.6 s: restarted", "6.0 s: a"]
    assert sorted(events, key=bench_resilience._event_time) == [
        "6.0 s: a",
        "9.6 s: restarted",
        "12.0 s: the chainer killed",
        "first acknowledged",
    ]
