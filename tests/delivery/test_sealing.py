"""A queued message's text is sealed at rest: the database row never holds it in the clear, the
worker opens it only to send it, keys rotate without losing a message, and production will not
start without a key."""

import importlib

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from linkwell.delivery import checks, sealing, services
from linkwell.delivery.models import Delivery, Status
from tests.delivery.test_outbox import run_worker, text

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "Hello Edith. Your link: https://x/c/abc123secret/"
MEMORY = "linkwell.delivery.backends.MemoryBackend"


@pytest.fixture
def memory(settings, database_tasks, memory_outbox):
    settings.DELIVERY_BACKENDS = {**settings.DELIVERY_BACKENDS, "text": MEMORY}
    return memory_outbox


def stored_body(delivery) -> str:
    """The column as the database holds it, past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM delivery_delivery WHERE id = %s", [delivery.pk])
        return cursor.fetchone()[0]


def test_the_stored_text_is_never_the_plaintext_and_the_worker_still_sends_it(memory):
    delivery = text(body=SECRET)
    stored = stored_body(delivery)
    assert stored and "abc123secret" not in stored and "Edith" not in stored
    assert sealing.unseal(stored) == SECRET
    run_worker()
    (sent,) = memory
    assert sent["body"] == SECRET  # opened for the provider
    assert stored_body(delivery) == ""  # and gone once sent


def test_keys_rotate_without_losing_a_waiting_message(memory, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.DELIVERY_KEYS = [old]
    first = text(key="test:old", body=SECRET)
    settings.DELIVERY_KEYS = [new, old]  # the new key first: it seals, both open
    second = text(key="test:new", body=SECRET + "2")
    assert Fernet(new).decrypt(stored_body(second).encode()).decode() == SECRET + "2"
    assert services.reseal_queued() == 2
    settings.DELIVERY_KEYS = [new]  # the old key dropped after resealing
    assert Fernet(new).decrypt(stored_body(first).encode()).decode() == SECRET
    run_worker()
    assert sorted(m["body"] for m in memory) == [SECRET, SECRET + "2"]


def test_a_message_whose_key_was_dropped_waits_visibly_rather_than_going_wrong(memory, settings):
    settings.DELIVERY_KEYS = [Fernet.generate_key().decode()]
    delivery = text(body=SECRET)
    settings.DELIVERY_KEYS = [Fernet.generate_key().decode()]
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED and delivery.next_attempt_at is not None
    assert "cannot be opened with DELIVERY_KEYS" in delivery.error
    assert memory == [] and stored_body(delivery)  # nothing sent, nothing lost


def test_the_migration_seals_the_text_of_messages_queued_before_it(memory):
    waiting, sent = text(key="test:waiting", body=SECRET), text(key="test:sent", body="")
    Delivery.objects.filter(pk=waiting.pk).update(body=SECRET)  # as stored before sealing
    Delivery.objects.filter(pk=sent.pk).update(status=Status.SENT)
    migration = importlib.import_module("linkwell.delivery.migrations.0004_seal_queued_text")
    migration.seal(apps, None)
    assert "abc123secret" not in stored_body(waiting) and stored_body(sent) == ""
    migration.unseal(apps, None)
    assert stored_body(waiting) == SECRET
    migration.seal(apps, None)
    run_worker()
    assert [m["body"] for m in memory] == [SECRET]


def test_production_will_not_start_without_a_key(settings):
    settings.PRODUCTION, settings.DELIVERY_KEYS = True, []
    assert [e.id for e in checks.sealing_keys()] == ["linkwell.delivery.E004"]
    with pytest.raises(ImproperlyConfigured):
        sealing.seal(SECRET)
    settings.DELIVERY_KEYS = ["not-a-key", Fernet.generate_key().decode()]
    assert [e.id for e in checks.sealing_keys()] == ["linkwell.delivery.E005"]
    settings.DELIVERY_KEYS = [Fernet.generate_key().decode()]
    assert checks.sealing_keys() == []


def test_development_derives_its_key_from_the_secret_key(settings):
    settings.PRODUCTION, settings.DELIVERY_KEYS = False, []
    assert checks.sealing_keys() == []
    sealed = sealing.seal(SECRET)
    assert Fernet(sealing.development_key()).decrypt(sealed.encode()).decode() == SECRET
    settings.SECRET_KEY = "another-" * 8
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(sealed)
