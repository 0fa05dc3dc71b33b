"""The local cluster (deploy/local_cluster.py) serves through nginx from two gunicorn
instances, shares one request limit between them in Redis, and stops cleanly.

Runs against the test database on PostgreSQL (the cluster's processes see what this test
commits); skipped on SQLite and where nginx or redis-server is not installed."""

from __future__ import annotations

import http.client
import json
import shutil
import time
import urllib.parse
import uuid

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from conftest import PASSWORD
from deploy.local_cluster import LocalCluster, health
from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    settings = connection.settings_dict
    user = urllib.parse.quote(settings["USER"] or "")
    password = urllib.parse.quote(settings["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def cluster(world):
    """A cluster (not started) over the test database, with the applicant able to log in."""
    if connection.vendor != "postgresql":
        pytest.skip("the cluster serves a PostgreSQL database")
    for program in ("nginx", "redis-server"):
        if shutil.which(program, path="/usr/sbin:/usr/bin:/sbin:/bin") is None:
            pytest.skip(f"{program} is not installed")
    # The cluster runs the production password hashers (the suite's is MD5, for speed).
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, uuid.uuid4().hex)
    type(world.applicant_user).objects.filter(pk=world.applicant_user.pk).update(password=hashed)
    cluster = LocalCluster(database_url=_database_url(), migrate=False, workers=1)
    yield cluster
    cluster.stop()  # stopped already unless the test failed half-way


class Browser:
    """One client of nginx with its cookies, speaking as a browser does."""

    def __init__(self, cluster: LocalCluster) -> None:
        self.cluster = cluster
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", headers=None):
        link = http.client.HTTPConnection("127.0.0.1", self.cluster.port, timeout=30)
        sent = {"Origin": self.cluster.url, "Referer": self.cluster.url + "/"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent.update(headers or {})
        link.request(method, path, body=body or None, headers=sent)
        response = link.getresponse()
        data = response.read()
        link.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def log_in(self, username: str) -> int:
        status, _ = self.request("GET", "/login/")
        assert status == 200
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": ""}
        form["csrfmiddlewaretoken"] = self.cookies["csrftoken"]
        status, _ = self.request(
            "POST",
            "/login/",
            urllib.parse.urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        return status

    def api(self, method: str, path: str, payload=None):
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.cookies["csrftoken"]}
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        status, data = self.request(method, path, body, headers)
        return status, json.loads(data) if data else None


def served(cluster: LocalCluster) -> list[int]:
    """How many requests each app server has logged."""
    counts = []
    for index in range(len(cluster.app_ports)):
        log = cluster.access_log(index)
        counts.append(len(log.read_text().splitlines()) if log.exists() else 0)
    return counts


def spread(before: list[int], after: list[int]) -> list[int]:
    return [later - earlier for earlier, later in zip(before, after, strict=True)]


def test_two_app_servers_behind_nginx_share_the_load_and_the_limit_then_stop(cluster, world):
    cluster.start()
    # the cluster is up: both app servers, the worker, and the chainer when there is one
    assert health(cluster.url) == 200
    assert len(cluster.processes["app"]) == 2
    assert all(
        process.poll() is None for processes in cluster.processes.values() for process in processes
    )

    # an applicant logs in through nginx and applies through the API
    browser = Browser(cluster)
    assert browser.log_in(world.applicant_user.username) == 302
    assert "sessionid" in browser.cookies
    body = {
        "item": world.item.item.implementation_code,
        "applicant": world.applicant.pk,
        "form": {"contact": "张三", "phone": "13800000000"},
    }
    status, created = browser.api("POST", "/api/v1/cases", body)
    assert status == 201, created
    number = created["number"]
    assert Case.objects.filter(number=number, applicant=world.applicant).count() == 1

    # the applicant's reads go round the two app servers, signed in on both
    before = served(cluster)
    for _ in range(10):
        status, case = browser.api("GET", f"/api/v1/cases/{number}")
        assert status == 200
        assert case["number"] == number
    assert all(count >= 3 for count in spread(before, served(cluster)))

    # the progress lookup's limit (20 a minute per address) counts once for both servers,
    # on the address nginx saw, whatever X-Forwarded-For the client sends
    if 60 - time.time() % 60 < 8:  # not across a window boundary
        time.sleep(60 - time.time() % 60 + 0.5)
    before = served(cluster)
    answers = [
        browser.request(
            "GET",
            "/api/v1/track/SFQ-2026-999999?code=ABCD2345",
            headers={"X-Forwarded-For": f"198.51.100.{turn}"},
        )[0]
        for turn in range(25)
    ]
    assert answers.count(429) == 5
    assert answers[:20] == [404] * 20
    assert all(count >= 10 for count in spread(before, served(cluster)))

    # stopping ends every process and removes the run directory
    processes = [process for group in cluster.processes.values() for process in group]
    run_dir = cluster.run_dir
    cluster.stop()
    assert all(process.poll() is not None for process in processes)
    assert health(cluster.url) is None
    assert not run_dir.exists()
