"""Saving in the admin: a database that refuses a row is a form error, not a 503.

A save can pass every form check and still be refused by the database (a
constraint, a trigger, a value past one of PostgreSQL's limits). Django's
admin lets that error through, the site answers "Back in a moment", and the
editor loses what they wrote. With this mixin the editor gets the same form
back, filled in as they left it, with the reason at the top; nothing is saved
(the admin's own transaction was rolled back)::

    @admin.register(Article)
    class ArticleAdmin(SaveErrorsAsFormErrorsMixin, admin.ModelAdmin):
        ...

A database that cannot be reached at all is still an outage (503 with
``Retry-After``, see ``newsroom.views.server_error``): the form could not be
shown again either.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, router

logger = logging.getLogger(__name__)


def database_answers(model) -> bool:
    """Whether the database that writes ``model`` is reachable right now."""
    connection = connections[router.db_for_write(model)]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


class SaveErrorsAsFormErrorsMixin:
    """For a ``ModelAdmin``: show a save the database refused as a form error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DatabaseError as error:
            if request.method != "POST" or not database_answers(self.model):
                raise
            logger.warning(
                "The database refused to save %s %s: %s",
                self.model._meta.verbose_name,
                object_id or "(new)",
                error,
            )
            request.admin_save_refused = error
            # Again, with the same POST: the form fails validation this time
            # (see get_form), so the admin shows it filled in, with the reason.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refused = getattr(request, "admin_save_refused", None)
        if refused is None:
            return form_class
        reason = str(refused).strip().splitlines()[0][:300] if str(refused).strip() else ""
        message = (
            f"The {self.model._meta.verbose_name} could not be saved: the database refused it"
            + (f" ({reason})" if reason else "")
            + ". Nothing was saved; your changes are still in the form below."
        )

        class RefusedSaveForm(form_class):
            def clean(self):
                super().clean()
                raise ValidationError(message)

        RefusedSaveForm.__name__ = form_class.__name__
        return RefusedSaveForm
