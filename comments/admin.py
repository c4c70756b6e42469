"""The moderators' desk: the comment queue in the Django admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import ngettext

from comments.models import CheckRecord, Comment, SpamRule
from comments.services import (
    RequestInfo,
    comment_moderate,
    comment_reply_as_site,
    comment_run_checks,
    comments_delete,
    comments_moderate,
)
from comments.spam import get_checks
from comments.verdicts import Verdict
from newsroom.admin_filters import OpeningChoiceFilter


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))


def _moderation_action(status: str, description: str, done: str):
    def action(modeladmin, request, queryset):
        changed = comments_moderate(comments=queryset, status=status, moderator=request.user)
        modeladmin.message_user(
            request,
            ngettext(f"%d comment {done}.", f"%d comments {done}.", changed) % changed,
            messages.SUCCESS,
        )

    action.__name__ = f"mark_{status}"
    return admin.action(description=description, permissions=["change"])(action)


class StatusFilter(OpeningChoiceFilter):
    """Status, opening on pending: the queue shows what needs a decision."""

    title = parameter_name = field = "status"
    choices_enum = Comment.Status
    default = Comment.Status.PENDING


class HeldByCheckFilter(admin.SimpleListFilter):
    """Comments a given check held, marked as spam, or failed on."""

    title = "held by check"
    parameter_name = "held_by"

    def lookups(self, request, model_admin):
        return [(check.name, check.name) for check in get_checks()] + [("task queue", "task queue")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            check_records__check_name=self.value(),
            check_records__verdict__in=[Verdict.HOLD, Verdict.SPAM, Verdict.FAILED],
        ).distinct()


class CheckRecordInline(admin.TabularInline):
    model = CheckRecord
    fields = ("check_name", "verdict", "score_percent", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "spam check"
    verbose_name_plural = "spam checks (latest run)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="score")
    def score_percent(self, record):
        return f"{record.score:.0%}"


@admin.register(SpamRule)
class SpamRuleAdmin(admin.ModelAdmin):
    list_display = ("value", "kind", "note", "created_at")
    list_filter = ("kind",)
    search_fields = ("value", "note")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = (
        "excerpt",
        "author_name",
        "author_email",
        "ip_address",
        "article_link",
        "age",
        "status",
    )
    inlines = (CheckRecordInline,)
    list_filter = (
        StatusFilter,
        HeldByCheckFilter,
        "check_verdict",
        "kind",
        ("article", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("article",)
    search_fields = ("author_name", "author_email", "ip_address", "body")
    search_help_text = "Search by author, email, IP address or text."
    list_per_page = 50
    ordering = ("-created_at", "-pk")
    actions = (
        _moderation_action(Comment.Status.APPROVED, "Approve selected comments", "approved"),
        _moderation_action(Comment.Status.SPAM, "Mark selected comments as spam", "marked as spam"),
        _moderation_action(
            Comment.Status.PENDING, "Not spam: back to pending", "returned to pending"
        ),
        _moderation_action(
            Comment.Status.TRASH, "Move selected comments to trash", "moved to trash"
        ),
        "rerun_checks",
    )
    readonly_fields = (
        "article", "parent", "author_name", "author_email", "author_url", "body", "user",
        "ip_address", "user_agent", "referrer", "created_at", "moderated_by", "moderated_at",
        "kind", "reply_link", "checked_at", "check_verdict",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("status", "body", "reply_link")}),
        ("Author", {"fields": ("author_name", "author_email", "author_url", "user")}),
        ("Where", {"fields": ("article", "parent", "kind")}),
        ("Request", {"fields": ("ip_address", "user_agent", "referrer", "created_at")}),
        ("Moderation", {"fields": ("moderated_by", "moderated_at", "checked_at", "check_verdict")}),
    )

    def has_add_permission(self, request):
        return False  # comments come from readers; moderators reply with "Reply"

    def delete_model(self, request, obj):
        comments_delete(comments=Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        comments_delete(comments=queryset)

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            new_status = obj.status
            obj.status = form.initial["status"]
            comment_moderate(comment=obj, status=new_status, moderator=request.user)

    @admin.action(description="Re-run the spam checks", permissions=["change"])
    def rerun_checks(self, request, queryset):
        verdicts = [
            comment_run_checks(
                comment=comment,
                request_info=RequestInfo.for_rerun(comment),
            )
            for comment in queryset.select_related("article")
        ]
        self.message_user(
            request,
            f"Checks re-run on {len(verdicts)} comment(s): "
            + ", ".join(f"{verdicts.count(v)} {v}" for v in sorted(set(verdicts))),
            messages.SUCCESS,
        )

    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(120)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, comment):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            # The post page itself: a per-row comment-page lookup would cost a query a row.
            comment.article.get_absolute_url()
            + (f"#comment-{comment.pk}" if comment.is_public else ""),
            Truncator(comment.article.title).chars(60),
        )

    @admin.display(description="age", ordering="created_at")
    def age(self, comment):
        return f"{timesince(comment.created_at).split(',')[0]} ago"

    @admin.display(description="reply")
    def reply_link(self, comment):
        if comment.pk is None or comment.status != Comment.Status.APPROVED:
            return "Approve the comment to reply to it."
        url = reverse("admin:comments_comment_reply", args=[comment.pk])
        return format_html('<a class="button" href="{}">Reply as the site</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="comments_comment_reply",
            ),
            *super().get_urls(),
        ]

    def reply_view(self, request, pk):
        comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        form = ReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reply = comment_reply_as_site(
                    parent=comment, body=form.cleaned_data["body"], moderator=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, "Your reply is published.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:comments_comment_change", args=[reply.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reply to {comment.author_name}",
            "comment": comment,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/comments/comment/reply.html", context)
