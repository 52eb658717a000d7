"""The person's language: which translation their messages and pages use.

`Person.preferred_language` is free text ("English", "Welsh", "Cymraeg", "Polish"…). It maps to
a language we ship a translation for in one place, `language_code`; anything else falls back
to English and the case page shows staff the interpreter need. Staff pages stay English: only
person-facing views and messages switch language (no LocaleMiddleware).
"""

import re
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.utils import translation

ENGLISH = "en-gb"
WELSH = "cy"
SHIPPED = (ENGLISH, WELSH)
# Words a person or a link worker might write for a language we have, in either language
# (with the soft mutation "Gymraeg", as in "yn Gymraeg").
WORDS = {
    "english": ENGLISH,
    "en": ENGLISH,
    "en-gb": ENGLISH,
    "saesneg": ENGLISH,
    "welsh": WELSH,
    "cymraeg": WELSH,
    "gymraeg": WELSH,
    "cy": WELSH,
}
COOKIE = "linkwell_language"  # the person's own choice on a public page


def language_code(preferred: str | None) -> str | None:
    """The shipped language for what was written, or None when we have no translation.

    Blank means English (the field's default). The first word we recognise wins, so
    "Welsh (Cymraeg)" and "Cymraeg / Welsh" are Welsh and "Polish" is None.
    """
    words = re.findall(r"[a-z]+(?:-[a-z]+)?", (preferred or "").casefold())
    if not words:
        return ENGLISH
    for word in words:
        if word in WORDS:
            return WORDS[word]
    return None


def for_person(person) -> str:
    """The language to write to this person in: theirs if shipped, else English."""
    return language_code(person.preferred_language) or ENGLISH


@contextmanager
def speaking(person):
    """Render a message to the person in their language (translation.override)."""
    with translation.override(for_person(person)):
        yield


def chosen(request) -> str | None:
    """The language the person picked with the English/Cymraeg switch, if any."""
    for value in (request.GET.get("lang"), request.COOKIES.get(COOKIE)):
        if value in SHIPPED:
            return value
    return None


def public_page(view):
    """For person-facing views: the page is in the language the person chose, else English;
    the view may call `use_person_language(request, person)` once it knows whose page it is.
    A choice made with the switch (?lang=) is remembered in a cookie."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        picked = chosen(request)
        request.language_chosen = picked is not None
        with translation.override(picked or ENGLISH):
            response = view(request, *args, **kwargs)
            response.headers.setdefault("Content-Language", translation.get_language())
        if request.GET.get("lang") in SHIPPED:
            response.set_cookie(
                COOKIE,
                request.GET["lang"],
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    return wrapper


def use_person_language(request, person) -> None:
    """Inside a `public_page` view: switch to the person's language unless they chose one."""
    if not getattr(request, "language_chosen", False):
        translation.activate(for_person(person))
