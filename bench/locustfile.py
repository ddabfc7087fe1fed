"""Load mix for bench/load.py: staff working their queues and citizens reading public pages.

Runs against gunicorn with the production settings behind a simulated TLS proxy: every
request carries `X-Forwarded-Proto: https` (what the reverse proxy in docs/deployment.md
sets), and the Secure session and CSRF cookies are sent over the loopback.

Staff (weight 3): log in once with a demo account of the bench database, then loop over
a day's clicks: staff home, my tasks, the team queue, a case opened from the queue or from
my tasks. Public visitors (weight 1): front page, the quality standard, the contact
directory. Case pages are named "case page" so bench/load.py can compare their count with
the access-log rows the server wrote.
"""

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ["BENCH_PASSWORD"]
STAFF = os.environ["BENCH_STAFF"].split(",")
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
CASE_LINK = re.compile(r'href="(/sager/\d+/)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _ThroughProxy(HttpUser):
    abstract = True

    def on_start(self):
        self.client.headers.update(PROXY_HEADERS)

    def keep_cookies(self):
        """The proxy terminates TLS, so the Secure session and CSRF cookies travel on the
        loopback behind it: let the cookie jar send them over http://."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, path, name=None):
        # The Referer is what a browser sends; Django's CSRF check needs it on HTTPS.
        with self.client.get(
            path, name=name or path, headers={"Referer": self.https(path)}, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
        self.keep_cookies()
        return response

    def https(self, path):
        return self.host.replace("http://", "https://") + path


class StaffMember(_ThroughProxy):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.username = random.choice(STAFF)
        login = self.get("/konto/login/", name="login page")
        token = CSRF.search(login.text).group(1)
        with self.client.post(
            "/konto/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.https("/konto/login/")},
            name="log in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} failed: HTTP {response.status_code}")
        self.keep_cookies()
        self.case_links = []

    @task(2)
    def staff_home(self):
        self.get("/personale/", name="staff home")

    @task(3)
    def my_tasks(self):
        page = self.get("/sager/", name="my tasks")
        self.case_links = CASE_LINK.findall(page.text) or self.case_links

    @task(3)
    def team_queue(self):
        page = self.get("/sager/koe/", name="team queue")
        self.case_links = CASE_LINK.findall(page.text) or self.case_links

    @task(4)
    def case_page(self):
        if self.case_links:
            self.get(random.choice(self.case_links), name="case page")


class Citizen(_ThroughProxy):
    weight = 1
    wait_time = between(1, 5)

    @task(2)
    def front_page(self):
        self.get("/", name="public front page")

    @task(3)
    def standard(self):
        self.get("/kvalitetsstandarder/stoette-og-kontaktperson/", name="public standard page")

    @task(1)
    def directory(self):
        self.get("/kontakt/", name="public directory")
