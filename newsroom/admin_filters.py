"""Change-list filters shared by the apps' admins.

``OpeningChoiceFilter`` filters a choices field and opens on the value that
needs a decision (the moderation queue on *pending*, the wire on *new*), with
an *All* entry to see everything::

    class StatusFilter(OpeningChoiceFilter):
        title = parameter_name = field = "status"
        choices_enum = Comment.Status
        default = Comment.Status.PENDING
"""

from django.contrib import admin
from django.db import models


class OpeningChoiceFilter(admin.SimpleListFilter):
    """A filter on ``field`` over ``choices_enum``, selected on ``default`` when
    the query string names none; ``all`` shows every row."""

    field: str
    choices_enum: type[models.Choices]
    default: str

    def lookups(self, request, model_admin):
        return [*self.choices_enum.choices, ("all", "All")]

    def value(self):
        return super().value() or self.default

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value == "all" else queryset.filter(**{self.field: value})

    def choices(self, changelist):
        # Not Django's default: its "All" entry would drop the parameter, which
        # here means the default value.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }
