"""The write guard on the core records: Person, Referral, Case, Connection and MessageBack.

These change only through their apps' service functions, which validate, write and audit in
one transaction. A plain `.save()` or `.delete()`, or a queryset's `.update()`, `.delete()` or
`.bulk_create()`, anywhere else raises `UnguardedWrite`, so a view, a task or a script that
writes around a service fails the first time it runs in a test, instead of skipping the rules
and the audit entry in production.

- Service functions open the guard with the `@service` decorator.
- Everything else that must write directly (demo data back-dating its rows, a test putting a
  record into a state no service makes) says so with `with allowed("why"):` (or
  `@allowed("why")`), so each exception is visible and greppable.

The guard is a context variable, so it holds for one thread or task at a time: a view running
in another thread while a service is open elsewhere is still guarded.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

_open: ContextVar[bool] = ContextVar("linkwell_write_guard_open", default=False)


class UnguardedWrite(RuntimeError):
    """A core record was written outside a service function."""


@contextmanager
def allowed(reason: str):
    """Let direct writes through for the block; `reason` is for the reader of the code."""
    if not reason.strip():
        raise ValueError("Say why the write guard is opened.")
    token = _open.set(True)
    try:
        yield
    finally:
        _open.reset(token)


def service(func):
    """Mark a service function: inside it (and whatever it calls) core records may be written."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with allowed(f"service {func.__module__}.{func.__qualname__}"):
            return func(*args, **kwargs)

    return wrapper


def is_open() -> bool:
    return _open.get()


def check(model, operation: str) -> None:
    if not _open.get():
        raise UnguardedWrite(
            f"{model._meta.label}.{operation}() outside a service function. Call the "
            f"{model._meta.app_label} app's service, or wrap a deliberate exception in "
            "linkwell.write_guard.allowed('why')."
        )


class GuardedQuerySet(models.QuerySet):
    """Bulk writes that skip Model.save(); each is checked like a save."""

    def update(self, **kwargs):
        check(self.model, "update")
        return super().update(**kwargs)

    def delete(self):
        check(self.model, "delete")
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        check(self.model, "bulk_create")
        return super().bulk_create(objs, *args, **kwargs)


class GuardedModel(models.Model):
    objects = GuardedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        check(type(self), "save")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        check(type(self), "delete")
        return super().delete(*args, **kwargs)
