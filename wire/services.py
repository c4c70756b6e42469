"""The one write path for the wire: fetch runs, dismissing and reposting items.

Writers:

- ``sources_fetch(*, source_ids=None, force=False)`` — ``manage.py
  fetch_sources`` (cron), the ``wire.tasks.fetch_sources`` task and the Source
  admin's "Fetch feeds now". It claims the sources that are due (a claim is an
  UPDATE of their ``next_fetch_at``, so overlapping runs never fetch one feed
  twice), fetches and parses their feeds in a pool of ``WIRE_FETCH_WORKERS``
  threads (network and parsing only: no database there), and records each
  result in this thread as it arrives, one transaction per source. A feed
  that fails — refused, unreachable, slow, unreadable, an error status — is
  recorded with its message and waits twice as long after each failure; it
  never stops the others. 304 Not Modified is counted; 410 Gone stops the
  feed until its address changes. New items are de-duplicated by GUID (per
  source) and by link (across sources and runs).
- ``wire_items_dismiss(*, items)`` and ``wire_item_repost(*, item, editor,
  images)`` (the ``wire.reposting.Repost``, notes and all) — the wire admin's actions; ``wire_item_set_state`` — its item page.

``FeedState`` and ``WireItem`` rows are written nowhere else.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from articles.models import Source
from newsroom.fetching import FEED_TYPES, FetchRefused, fetch
from wire import reposting, selectors
from wire.feeds import FeedUnreadable, ParsedFeed, ParsedItem, parse_feed
from wire.models import FeedState, WireItem

logger = logging.getLogger(__name__)

GONE_MESSAGE = (
    "The feed is gone (410 Gone): it is no longer fetched. "
    "Give the source a new feed address to fetch it again."
)


class RepostRefused(Exception):
    """The item cannot be reposted; ``str(e)`` tells the editor why."""


@dataclass(frozen=True)
class FeedJob:
    source_id: int
    feed_url: str
    etag: str
    last_modified: str


@dataclass
class FeedResult:
    """What one fetch found. ``outcome``: read, not_modified, gone or failed."""

    job: FeedJob
    outcome: str
    feed: ParsedFeed | None = None
    etag: str = ""
    last_modified: str = ""
    error: str = ""


@dataclass
class FetchReport:
    """One run of ``sources_fetch``, for the command's output and the bench."""

    sources: int = 0
    read: int = 0
    not_modified: int = 0
    failed: int = 0
    gone: int = 0
    new_items: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # "Source: message", one per loss


# -- Fetching (worker threads: no database) ------------------------------------------


def _conditional_headers(job: FeedJob) -> dict[str, str]:
    headers = {}
    if job.etag:
        headers["If-None-Match"] = job.etag
    if job.last_modified:
        headers["If-Modified-Since"] = job.last_modified
    return headers


def feed_fetch(job: FeedJob) -> FeedResult:
    """Fetch and parse one feed; every failure becomes a ``failed`` result."""
    try:
        fetched = fetch(job.feed_url, accept=FEED_TYPES, headers=_conditional_headers(job))
        if fetched.status == 304:
            return FeedResult(job, "not_modified", etag=job.etag, last_modified=job.last_modified)
        if fetched.status == 410:
            return FeedResult(job, "gone", error=GONE_MESSAGE)
        if not fetched.ok:
            return FeedResult(job, "failed", error=f"The feed answered HTTP {fetched.status}.")
        feed = parse_feed(fetched.content, url=fetched.url, headers=fetched.headers)
    except (FetchRefused, FeedUnreadable) as error:
        return FeedResult(job, "failed", error=str(error))
    except Exception as error:  # a bug must not stop the other feeds
        logger.exception("Fetching the feed %s failed", job.feed_url)
        return FeedResult(job, "failed", error=f"Unexpected error: {error!r}")
    return FeedResult(
        job,
        "read",
        feed=feed,
        etag=fetched.headers.get("etag", "")[:500],
        last_modified=fetched.headers.get("last-modified", "")[:100],
    )


# -- Claiming the sources that are due --------------------------------------------------


def _sync_feed_states(now: datetime) -> None:
    """A state row for every source with a feed; a changed feed address starts afresh."""
    missing = Source.objects.exclude(feed_url="").filter(feed_state__isnull=True)
    FeedState.objects.bulk_create(
        [
            FeedState(source=source, feed_url=source.feed_url, next_fetch_at=now)
            for source in missing
        ],
        ignore_conflicts=True,
    )
    changed = FeedState.objects.exclude(feed_url=F("source__feed_url"))
    changed_ids = list(changed.values_list("pk", flat=True))
    if not changed_ids:
        return
    FeedState.objects.filter(pk__in=changed_ids).update(
        feed_url=Subquery(Source.objects.filter(pk=OuterRef("pk")).values("feed_url")[:1]),
        etag="",
        last_modified="",
        gone_at=None,
        consecutive_failures=0,
        last_error="",
        next_fetch_at=now,
    )


@transaction.atomic
def _claim(*, now: datetime, source_ids, force: bool, workers: int) -> list[FeedJob]:
    states = FeedState.objects.exclude(feed_url="")
    if source_ids is not None:
        states = states.filter(pk__in=source_ids)
    if not force:
        states = states.filter(next_fetch_at__lte=now, gone_at__isnull=True)
    claimed = list(states.select_for_update(skip_locked=True).values_list("pk", flat=True))
    # Held while the run works (as long as its slowest possible batch, with every
    # fetch taking its full time); a run that dies leaves the sources due after it.
    rounds = -(-len(claimed) // workers) + 1
    lease = timedelta(seconds=settings.NEWSROOM_FETCH_TIMEOUT * rounds + 60)
    FeedState.objects.filter(pk__in=claimed).update(next_fetch_at=now + lease)
    return [
        FeedJob(pk, url, etag, modified)
        for pk, url, etag, modified in FeedState.objects.filter(pk__in=claimed).values_list(
            "pk", "feed_url", "etag", "last_modified"
        )
    ]


# -- Recording (the caller's thread) ---------------------------------------------------


def _listed_at(item: ParsedItem, now: datetime) -> datetime:
    if item.published_at is None or item.published_at > now:
        return now
    return item.published_at


def _new_items(source_id: int, items: list[ParsedItem]) -> list[ParsedItem]:
    """The items not yet on the wire: by GUID for this source, by link for any."""
    known_guids = set(
        WireItem.objects.filter(source_id=source_id, guid__in=[i.guid for i in items]).values_list(
            "guid", flat=True
        )
    )
    links = [item.link for item in items if item.link]
    known_links = set(WireItem.objects.filter(link__in=links).values_list("link", flat=True))
    new = []
    for item in items:
        if item.guid in known_guids or (item.link and item.link in known_links):
            continue
        known_guids.add(item.guid)
        if item.link:
            known_links.add(item.link)
        new.append(item)
    return new


def _store_items(source_id: int, items: list[ParsedItem], now: datetime) -> int:
    new = _new_items(source_id, items)
    WireItem.objects.bulk_create(
        [
            WireItem(
                source_id=source_id,
                guid=item.guid,
                link=item.link,
                title=item.title,
                published_at=item.published_at,
                listed_at=_listed_at(item, now),
                summary=item.summary,
                author=item.author,
                fetched_at=now,
            )
            for item in new
        ],
        # A run that overlapped this one stored the same item first: keep theirs.
        ignore_conflicts=True,
    )
    return len(new)


def _backoff(failures: int) -> timedelta:
    seconds = settings.WIRE_FETCH_INTERVAL_SECONDS * 2 ** min(failures, 20)
    return timedelta(seconds=min(seconds, settings.WIRE_MAX_BACKOFF_SECONDS))


def _read_notes(feed: ParsedFeed) -> str:
    notes = [feed.warning] if feed.warning else []
    if feed.losses:
        shown = "; ".join(feed.losses[:5]) + ("; …" if len(feed.losses) > 5 else "")
        notes.append(f"{len(feed.losses)} entries not read in full: {shown}.")
    return " ".join(notes)


@transaction.atomic
def feed_result_record(*, result: FeedResult, now: datetime) -> int:
    """Store one fetch's items and state; return how many items were new."""
    states = FeedState.objects.filter(pk=result.job.source_id)
    interval = timedelta(seconds=settings.WIRE_FETCH_INTERVAL_SECONDS)
    fetched = {"last_fetched_at": now}
    if result.outcome == "failed":
        state = states.select_for_update().first()
        failures = (state.consecutive_failures if state else 0) + 1
        states.update(
            **fetched,
            consecutive_failures=failures,
            last_error=result.error,
            next_fetch_at=now + _backoff(failures),
        )
        return 0
    if result.outcome == "gone":
        states.update(**fetched, gone_at=now, last_error=result.error, next_fetch_at=now)
        return 0
    succeeded = {**fetched, "last_success_at": now, "consecutive_failures": 0}
    succeeded |= {"etag": result.etag, "last_modified": result.last_modified}
    if result.outcome == "not_modified":
        states.update(
            **succeeded,
            not_modified_count=F("not_modified_count") + 1,
            new_items_last_time=0,
            last_error="",
            next_fetch_at=now + interval,
        )
        return 0
    new = _store_items(result.job.source_id, result.feed.items, now)
    states.update(
        **succeeded,
        items_last_time=result.feed.entries,
        new_items_last_time=new,
        last_error=_read_notes(result.feed),
        next_fetch_at=now + interval,
    )
    return new


def _count(report: FetchReport, result: FeedResult, new: int, names: dict[int, str]) -> None:
    setattr(report, result.outcome, getattr(report, result.outcome) + 1)
    report.new_items += new
    name = names.get(result.job.source_id, result.job.source_id)
    if result.error:
        report.problems.append(f"{name}: {result.error}")
    elif result.feed and (result.feed.losses or result.feed.warning):
        report.problems.append(f"{name}: {_read_notes(result.feed)}")


def sources_fetch(
    *, source_ids=None, force: bool = False, workers: int | None = None
) -> FetchReport:
    """Fetch the feeds that are due (or ``source_ids``; ``force``: due or not)."""
    started = time.monotonic()
    now = timezone.now()
    _sync_feed_states(now)
    workers = workers or settings.WIRE_FETCH_WORKERS
    jobs = _claim(now=now, source_ids=source_ids, force=force, workers=workers)
    names = dict(
        Source.objects.filter(pk__in=[j.source_id for j in jobs]).values_list("pk", "name")
    )
    report = FetchReport(sources=len(jobs))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in as_completed([pool.submit(feed_fetch, job) for job in jobs]):
            result = future.result()
            try:
                new = feed_result_record(result=result, now=timezone.now())
            except Exception as error:
                logger.exception("Recording the feed of source %s failed", result.job.source_id)
                result = FeedResult(result.job, "failed", error=f"Not recorded: {error!r}")
                new = 0
            _count(report, result, new, names)
    report.seconds = time.monotonic() - started
    return report


# -- The desk ---------------------------------------------------------------------------


def wire_item_set_state(*, item: WireItem, state: str) -> WireItem:
    """Set an item's state by hand (the item's admin page); its article stays linked."""
    item.state = state
    item.save(update_fields=["state"])
    return item


def wire_items_dismiss(*, items: QuerySet[WireItem]) -> int:
    """Dismiss the new items among ``items``; return how many."""
    return items.filter(state=WireItem.State.NEW).update(state=WireItem.State.DISMISSED)


def wire_item_repost(*, item: WireItem, editor, images: str = "download") -> reposting.Repost:
    """Repost ``item`` as a draft article: the ``Repost`` (article, created,
    and the notes the editor should check).

    An item whose link was reposted already (an article with that original
    URL, or one the link now redirects to) is not reposted again: the article
    there is returned (``created`` False), and the item marked as reposted to
    it. Every item with the same link is marked too."""
    if not item.link:
        raise RepostRefused(f"“{item.title}” has no link to repost from.")
    article = selectors.article_reposted_from(item.link)
    if article is not None:
        result = reposting.Repost(article=article, created=False)
    else:
        # Outside a transaction: reposting fetches the original page.
        result = reposting.repost(url=item.link, editor=editor, item=item, images=images)
    WireItem.objects.filter(link=item.link).update(
        state=WireItem.State.REPOSTED, article=result.article
    )
    return result
