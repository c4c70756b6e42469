"""The wire desk in the admin (editors), and the feed's state on the Source list.

``WireItemAdmin``: the items of every source's feed, newest first, opening on
the new ones; filter by source and state, search; actions Repost (the images
downloaded or dropped) and Dismiss, through ``wire.services``. Reposting one
item lands on the new article's change form. An item whose link was reposted
already (an article with that original URL) says so and links to the article.

``SourceWithFeedAdmin`` replaces ``articles.admin.SourceAdmin`` (articles does
not know the wire): the same admin plus a "feed" column (last fetched, items,
last error) and a "Fetch feeds now" action.
"""

import logging

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from articles.admin import SourceAdmin
from articles.models import Source
from newsroom.admin_filters import OpeningChoiceFilter
from newsroom.fetching import FetchRefused
from wire import selectors
from wire.models import FeedState, WireItem
from wire.services import (
    RepostRefused,
    sources_fetch,
    wire_item_repost,
    wire_item_set_state,
    wire_items_dismiss,
)

logger = logging.getLogger(__name__)


class WireStateFilter(OpeningChoiceFilter):
    """State, opening on new: the wire shows what still needs a decision."""

    title = parameter_name = field = "state"
    choices_enum = WireItem.State
    default = WireItem.State.NEW


class WireChangeList(ChangeList):
    """Knows, in one query for the page, which items' links were reposted already."""

    def get_results(self, request):
        super().get_results(request)
        reposted = selectors.articles_reposted_from(item.link for item in self.result_list)
        for item in self.result_list:
            item.reposted_article = item.article or reposted.get(item.link)


def _article_link(article) -> str:
    url = reverse("admin:articles_article_change", args=[article.pk])
    return format_html('<a href="{}">{}</a>', url, article)


@admin.register(WireItem)
class WireItemAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "published_at", "state", "original", "reposted_as")
    list_filter = (WireStateFilter, "source")
    list_select_related = ("source", "article")
    search_fields = ("title", "summary", "author", "link", "source__name")
    actions = ("repost", "repost_without_images", "dismiss")
    fields = (
        "title", "source", "original", "published_at", "author", "summary", "state",
        "reposted_as", "guid", "fetched_at",
    )  # fmt: skip
    readonly_fields = (
        "title", "source", "original", "published_at", "author", "summary",
        "reposted_as", "guid", "fetched_at",
    )  # fmt: skip

    def get_changelist(self, request, **kwargs):
        return WireChangeList

    def save_model(self, request, obj, form, change):
        wire_item_set_state(item=obj, state=obj.state)

    def has_add_permission(self, request):
        return False  # items come from feeds

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted item would come back with the next fetch: dismiss it

    def has_repost_permission(self, request):
        return self.has_change_permission(request) and request.user.has_perm("articles.add_article")

    @admin.display(description="original")
    def original(self, item):
        if not item.link:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', item.link, item.link
        )

    @admin.display(description="reposted as")
    def reposted_as(self, item):
        article = getattr(item, "reposted_article", None)
        if article is None and not hasattr(item, "reposted_article"):
            article = item.article or selectors.article_reposted_from(item.link)
        if article is None:
            return "—"
        if item.article_id is None:
            return format_html("Already reposted: {}", _article_link(article))
        return _article_link(article)

    def _repost(self, request, queryset, images: str):
        items = list(queryset.select_related("source"))
        reposted = []
        for item in items:
            try:
                result = wire_item_repost(item=item, editor=request.user, images=images)
            except (RepostRefused, FetchRefused) as error:
                self.message_user(request, f"“{item}” was not reposted: {error}", messages.ERROR)
                continue
            if result.created:
                # What the editor should check, as "Repost from a URL" shows it;
                # named after its item when several were reposted at once.
                for note in result.notes:
                    text = f"“{item}”: {note}" if len(items) > 1 else note
                    self.message_user(request, text, messages.WARNING)
            else:
                self.message_user(
                    request,
                    format_html(
                        "“{}” was reposted already: {}", item, _article_link(result.article)
                    ),
                    messages.WARNING,
                )
            reposted.append(result.article)
        if len(reposted) == 1 and len(items) == 1:
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[reposted[0].pk])
            )
        if reposted:
            count = len(reposted)
            self.message_user(
                request,
                ngettext("%d item reposted as a draft.", "%d items reposted as drafts.", count)
                % count,
                messages.SUCCESS,
            )
        return None

    @admin.action(description="Repost as a draft (download images)", permissions=["repost"])
    def repost(self, request, queryset):
        return self._repost(request, queryset, "download")

    @admin.action(description="Repost as a draft (without images)", permissions=["repost"])
    def repost_without_images(self, request, queryset):
        return self._repost(request, queryset, "drop")

    @admin.action(description="Dismiss selected items", permissions=["change"])
    def dismiss(self, request, queryset):
        count = wire_items_dismiss(items=queryset)
        self.message_user(
            request,
            ngettext("%d item dismissed.", "%d items dismissed.", count) % count,
            messages.SUCCESS,
        )


# -- The feed on the Source list -----------------------------------------------------


def feed_summary(state: FeedState | None, source: Source) -> str:
    """One line on a source's feed: last fetched, items, and what went wrong."""
    if not source.feed_url:
        return "—"
    if state is None or state.last_fetched_at is None:
        return "not fetched yet"
    parts = [f"fetched {naturaltime(state.last_fetched_at)}"]
    if state.last_success_at:
        parts.append(f"{state.items_last_time} items ({state.new_items_last_time} new)")
    if state.gone_at:
        parts.append("stopped")
    elif state.consecutive_failures and state.next_fetch_at > timezone.now():
        parts.append(
            f"{state.consecutive_failures} failures, next try {naturaltime(state.next_fetch_at)}"
        )
    if state.last_error:
        parts.append(f"error: {state.last_error}")
    return " · ".join(parts)


admin.site.unregister(Source)


@admin.register(Source)
class SourceWithFeedAdmin(SourceAdmin):
    list_display = (*SourceAdmin.list_display, "feed_status")
    readonly_fields = ("feed_status",)
    actions = ("fetch_feeds_now",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("feed_state")

    @admin.display(description="feed")
    def feed_status(self, source):
        return feed_summary(getattr(source, "feed_state", None), source)

    @admin.action(description="Fetch their feeds now", permissions=["change"])
    def fetch_feeds_now(self, request, queryset):
        report = sources_fetch(
            source_ids=list(queryset.exclude(feed_url="").values_list("pk", flat=True)), force=True
        )
        for problem in report.problems:
            self.message_user(request, problem, messages.WARNING)
        self.message_user(
            request,
            f"{report.sources} feeds fetched: {report.new_items} new items on the wire.",
            messages.SUCCESS,
        )
