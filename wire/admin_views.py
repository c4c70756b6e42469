"""The article admin's "Repost from a URL": paste a link, get a draft to review.

``RepostFromURLView`` is mounted under the admin (``wire.admin_urls``, included
by ``newsroom.urls`` before the admin site) and linked from the article form's
Source fields and the articles list (``templates/admin/articles/article/``). It
needs a staff login and ``articles.add_article``; it calls
``wire.reposting.repost`` and lands the editor on the draft's change form, with
what they should check as messages. A refusal shows the form again with the
reason under the URL.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.views.generic import FormView

from articles.models import Article
from newsroom.links import SafeURLFormField
from wire.reposting import RepostFailed, repost


class RepostFromURLForm(forms.Form):
    url = SafeURLFormField(
        label="Original article URL",
        assume_scheme="https",
        max_length=1000,
        help_text="The story's page on the site it was first published on.",
    )
    images = forms.ChoiceField(
        label="The original's images",
        choices=[
            ("download", "Download them into the media library"),
            ("drop", "Leave them out"),
        ],
        initial="download",
        widget=forms.RadioSelect,
    )


class RepostFromURLView(PermissionRequiredMixin, FormView):
    form_class = RepostFromURLForm
    template_name = "admin/wire/repost_from_url.html"
    permission_required = "articles.add_article"
    raise_exception = True

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            "title": "Repost from a URL",
            "opts": Article._meta,
            **super().get_context_data(**kwargs),
        }

    def form_valid(self, form):
        try:
            result = repost(
                url=form.cleaned_data["url"],
                editor=self.request.user,
                images=form.cleaned_data["images"],
            )
        except RepostFailed as error:
            form.add_error("url", str(error))
            return self.form_invalid(form)
        article = result.article
        if result.created:
            messages.success(
                self.request,
                f"Draft “{article}” made from {article.source_url}, credited to "
                f"{article.source}. Review it, then publish.",
            )
        for note in result.notes:
            messages.warning(self.request, note)
        return redirect("admin:articles_article_change", article.pk)


repost_from_url = admin.site.admin_view(RepostFromURLView.as_view())
