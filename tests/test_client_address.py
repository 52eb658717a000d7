"""One client address for the audit log, the self-referral limit, the sign-in lock-out and the
request log: behind trusted proxies the forwarded one, otherwise the connection's (issue 15,
item 5)."""

import json
import logging

import pytest
from django.test import RequestFactory

from linkwell.accounts.models import AuditEntry, SignInAttempt
from linkwell.cases.models import Referral
from linkwell.client_address import client_address, limit_key
from tests.factories import PASSWORD
from tests.portal.test_self_referral import answers


def address(settings, remote, forwarded=None, *, proxies=(), count=0):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = list(proxies), count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


@pytest.mark.parametrize(
    "remote, forwarded, proxies, count, expected",
    [
        # no proxy configured: the header is anyone's to write, so it is ignored
        ("203.0.113.9", "198.51.100.1", (), 0, "203.0.113.9"),
        # one trusted proxy by address
        ("127.0.0.1", "198.51.100.1", ("127.0.0.1",), 0, "198.51.100.1"),
        # a client's own forged header is to the left of what the proxy added
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", ("127.0.0.1",), 0, "198.51.100.1"),
        # the header straight from a client that is not a proxy is ignored
        ("198.51.100.1", "6.6.6.6", ("127.0.0.1",), 0, "198.51.100.1"),
        # a chain of trusted proxies by network
        ("10.0.0.2", "198.51.100.1, 10.0.0.7", ("10.0.0.0/8",), 0, "198.51.100.1"),
        # by count: the hop one proxy away, whatever the client wrote before it
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", (), 1, "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.7", (), 2, "198.51.100.1"),
        # count and addresses together: at most that many trusted hops
        ("127.0.0.1", "6.6.6.6, 127.0.0.1", ("127.0.0.1",), 1, "127.0.0.1"),
        # rubbish in the header stops at the last trusted hop
        ("127.0.0.1", "not-an-address", ("127.0.0.1",), 0, "127.0.0.1"),
        ("127.0.0.1", "", ("127.0.0.1",), 0, "127.0.0.1"),
        # IPv6, with and without a port
        ("::1", "2001:db8::5", ("::1",), 0, "2001:db8::5"),
        ("127.0.0.1", "198.51.100.1:4711", ("127.0.0.1",), 0, "198.51.100.1"),
        ("::1", "[2001:db8::5]:4711", ("::1",), 0, "2001:db8::5"),
        # a dual-stack socket gives the IPv4 proxy as ::ffff:127.0.0.1: still the trusted proxy
        # (else every client was the proxy, and one client's wrong tokens throttled them all)
        ("::ffff:127.0.0.1", "198.51.100.1", ("127.0.0.1",), 0, "198.51.100.1"),
        ("127.0.0.1", "::ffff:198.51.100.1", ("127.0.0.1",), 0, "198.51.100.1"),
        # more hops claimed than there are: the leftmost
        ("10.0.0.2", "198.51.100.1", (), 3, "198.51.100.1"),
    ],
)
def test_the_forwarded_address_is_believed_only_from_trusted_proxies(
    settings, remote, forwarded, proxies, count, expected
):
    assert address(settings, remote, forwarded, proxies=proxies, count=count) == expected


BEHIND_NGINX = {"REMOTE_ADDR": "127.0.0.1"}


def via(client_ip):
    return {**BEHIND_NGINX, "HTTP_X_FORWARDED_FOR": client_ip}


@pytest.mark.django_db
def test_behind_a_proxy_the_self_referral_limit_is_per_client(client, practice, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SELF_REFERRALS_PER_HOUR = 1
    assert client.post("/refer-yourself/", answers(), **via("198.51.100.1")).status_code == 200
    flooded = client.post("/refer-yourself/", answers(family_name="B"), **via("198.51.100.1"))
    assert flooded.status_code == 422
    # another person behind the same proxy is not held back by the first
    other = client.post("/refer-yourself/", answers(family_name="C"), **via("198.51.100.2"))
    assert other.status_code == 200 and Referral.objects.count() == 2
    # and a client cannot dodge the limit by writing the header itself
    forged = client.post(
        "/refer-yourself/", answers(family_name="D"), **via("1.2.3.4, 198.51.100.1")
    )
    assert forged.status_code == 422


@pytest.mark.django_db
def test_behind_a_proxy_the_audit_log_and_sign_in_record_the_client(client, link_worker, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client.post(
        "/accounts/sign-in/",
        {"username": link_worker.username, "password": "wrong password!"},
        **via("198.51.100.7"),
    )
    assert SignInAttempt.objects.get().ip_address == "198.51.100.7"
    assert AuditEntry.objects.get(action="sign_in_failed").ip_address == "198.51.100.7"
    client.post(
        "/accounts/sign-in/",
        {"username": link_worker.username, "password": PASSWORD},
        **via("198.51.100.8"),
    )
    assert AuditEntry.objects.get(action="sign_in").ip_address == "198.51.100.8"


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_header_reaches_nothing(client, link_worker, settings):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [], 0
    client.post(
        "/accounts/sign-in/",
        {"username": link_worker.username, "password": "wrong password!"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert AuditEntry.objects.get(action="sign_in_failed").ip_address == "203.0.113.5"


@pytest.mark.django_db
def test_the_request_log_carries_the_client_address(client, settings, caplog):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    with caplog.at_level(logging.INFO, logger="linkwell.request"):
        client.get("/healthz", **via("198.51.100.9"))
    (line,) = [r for r in caplog.records if r.name == "linkwell.request"]
    assert line.client == "198.51.100.9"
    from linkwell.logs import JsonFormatter

    assert json.loads(JsonFormatter().format(line))["client"] == "198.51.100.9"


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("198.51.100.1", "198.51.100.1"),
        ("::ffff:198.51.100.1", "198.51.100.1"),  # IPv4 as a dual-stack socket gives it
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # one home's or host's whole /64
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        (None, ""),
        ("not-an-address", ""),
    ],
)
def test_limits_count_an_ipv6_client_by_its_64(address, key):
    assert limit_key(address) == key


@pytest.mark.django_db
def test_a_new_ipv6_address_from_the_same_64_does_not_dodge_the_self_referral_limit(
    client, practice, settings
):
    settings.SELF_REFERRALS_PER_HOUR = 1
    first = client.post("/refer-yourself/", answers(), REMOTE_ADDR="2001:db8:1:2::a")
    assert first.status_code == 200
    rotated = client.post(
        "/refer-yourself/", answers(family_name="B"), REMOTE_ADDR="2001:db8:1:2::b"
    )
    assert rotated.status_code == 422
    neighbour = client.post(
        "/refer-yourself/", answers(family_name="C"), REMOTE_ADDR="2001:db8:1:3::a"
    )
    assert neighbour.status_code == 200
