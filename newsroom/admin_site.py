"""The admin site, whose change lists check every filter value before querying.

A change list turns its query string into a query: ``?status=pending``,
``?ip_address=203.0.113.9``, ``?article__id__exact=7``. Django checks that the
*lookup* is allowed, but not that the *value* is one the column can hold, so
``?ip_address=zzz`` or a NUL reached PostgreSQL and came back as a 500.

``NewsroomAdminSite`` is the default admin site (``NewsroomAdminConfig`` in
``INSTALLED_APPS``), and every ModelAdmin registered on it — the project's and
those of django-axes, flatpages, redirects, taggit and the task queue alike —
gets ``ValidatedLookupsMixin``. For each query-string filter it checks:

- no NUL anywhere (PostgreSQL text cannot hold one);
- a filter class's own parameter (``?status=``, ``?held_by=``) takes only the
  values that filter offers;
- a field lookup (``exact``, ``in``, ``range``, ``gt``…) takes only values of
  the field: converted by the field, within its choices, passing its
  validators (an IP address field takes only IP addresses);
- the date drill-down (``__year``, ``__month``, ``__day``) takes only dates
  Python can represent, with a year to spare;
- ``regex`` and ``iregex`` are refused: the admin never builds them, and a
  malformed pattern is an error in the database.

A value that fails is refused like a forbidden lookup: 400 Bad Request.
Anything else (text searches, transforms) Django converts and checks itself.
A search term (the change list's and the autocomplete's) is searched for
without its NULs, as the public search does.

The login page is throttled by django-axes (settings: ``AXES_*``), which
records each attempt's username as typed: ``login_attempt_username`` keeps that
to what its column holds, so a 400-character username is a failed login, not a
database error.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db.models.constants import LOOKUP_SEP

NUL = "\x00"
# Lookups whose value must be a value of the field.
VALUE_LOOKUPS = {"exact", "gt", "gte", "lt", "lte"}
# Lookups whose value is a comma-separated list of values of the field.
LIST_LOOKUPS = {"in", "range"}
REFUSED_LOOKUPS = {"regex", "iregex"}
# django-axes' username column (AccessAttempt.username and its logs).
AXES_USERNAME_LENGTH = 255
# Transforms that turn a date or time into a whole number, and the numbers each
# can be (the date drill-down adds a year, a month or a day to the value it is
# given: 9999 + 1 is no longer a date).
DATE_PARTS = {
    "year": range(1, 9999),
    "iso_year": range(1, 9999),
    "quarter": range(1, 5),
    "month": range(1, 13),
    "week": range(1, 54),
    "day": range(1, 32),
    "week_day": range(1, 8),
    "iso_week_day": range(1, 8),
    "hour": range(0, 24),
    "minute": range(0, 60),
    "second": range(0, 60),
}


class NewsroomAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``NewsroomAdminSite`` as ``admin.site``."""

    default_site = "newsroom.admin_site.NewsroomAdminSite"


class ValidatedLookupsMixin:
    """Refuses (400) a change-list filter value the column could not hold, and
    searches without NULs."""

    def lookup_allowed(self, lookup, value, request):
        return is_valid_filter_value(self, request, lookup, value) and super().lookup_allowed(
            lookup, value, request
        )

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.replace(NUL, ""))


class NewsroomAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = with_validated_lookups(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)


def with_validated_lookups(admin_class: type) -> type:
    """``admin_class``, with ``ValidatedLookupsMixin`` in front of it."""
    if issubclass(admin_class, ValidatedLookupsMixin):
        return admin_class
    return type(
        admin_class.__name__,
        (ValidatedLookupsMixin, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )


def is_valid_filter_value(model_admin, request, lookup: str, value: str) -> bool:
    """Whether ``?lookup=value`` may be queried on ``model_admin``'s change list."""
    if NUL in lookup or NUL in value:
        return False
    list_filter = _simple_list_filter(model_admin, request, lookup)
    if list_filter is not None:
        return value in {str(choice) for choice, _title in list_filter.lookup_choices}
    field, lookups = _field_and_lookups(model_admin.model, lookup)
    if field is None:
        return True  # not a field: Django ignores or refuses it
    if REFUSED_LOOKUPS.intersection(lookups):
        return False
    if lookups and lookups[0] in DATE_PARTS:  # ``__year``, ``__year__gte``, ``__hour__in``…
        values = value.split(",") if lookups[-1] in LIST_LOOKUPS else [value]
        return all(_is_date_part(lookups[0], item) for item in values)
    if len(lookups) > 1:
        return True  # a transform (``__date__gte``): Django converts the value
    name = lookups[0] if lookups else "exact"
    field = _value_field(field)
    if field is None:
        return True
    if name in VALUE_LOOKUPS:
        return _is_field_value(field, value, in_choices=name == "exact")
    if name in LIST_LOOKUPS:
        return all(
            _is_field_value(field, item, in_choices=name == "in") for item in value.split(",")
        )
    return True


def _is_date_part(part: str, value: str) -> bool:
    value = value.strip()
    return value.isascii() and value.isdigit() and int(value) in DATE_PARTS[part]


def _simple_list_filter(model_admin, request, parameter: str):
    """The filter class of ``model_admin`` whose parameter is ``parameter``, made
    with no value (so it lists every value it offers), or ``None``."""
    for list_filter in model_admin.get_list_filter(request):
        if (
            isinstance(list_filter, type)
            and issubclass(list_filter, admin.SimpleListFilter)
            and list_filter.parameter_name == parameter
        ):
            return list_filter(request, {}, model_admin.model, model_admin)
    return None


def _field_and_lookups(model, lookup: str):
    """The field ``lookup`` ends on, following relations, and the lookups and
    transforms after it: ``article__id__exact`` → (``Article.id``, ``["exact"]``)."""
    parts = lookup.split(LOOKUP_SEP)
    field = None
    for index, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return field, parts[index:]
        if not field.is_relation or field.related_model is None:
            return field, parts[index + 1 :]
        model = field.related_model
    return field, []


def _value_field(field):
    """The field a value filtering on ``field`` is a value of: for a relation,
    the field it points to (``?article=7``: ``Article.id``); ``None`` if unclear."""
    if not field.is_relation:
        return field
    try:
        return field.target_field
    except (AttributeError, FieldError):
        return None


def _is_field_value(field, value: str, *, in_choices: bool) -> bool:
    try:
        python_value = field.to_python(value)
        choices = {choice for choice, _title in field.flatchoices} if field.choices else None
        if in_choices and choices is not None and python_value not in choices:
            return False
        field.run_validators(python_value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


def login_attempt_username(request, credentials=None) -> str | None:
    """The username django-axes records for a login attempt (``AXES_USERNAME_CALLABLE``):
    the one typed, as axes reads it, without NUL and cut to its column's length."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(username, str):
        return username
    return username.replace(NUL, "")[:AXES_USERNAME_LENGTH]
