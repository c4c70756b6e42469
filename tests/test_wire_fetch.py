"""Fetching the sources' feeds onto the wire (wire.services.sources_fetch), from
loopback servers serving RSS 2.0, Atom, RSS 1.0 and every way a feed goes wrong."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.feeds import atom, rss1, rss2, story
from tests.web_server import WebServer
from wire.models import FeedState, WireItem
from wire.services import sources_fetch

pytestmark = pytest.mark.django_db

RSS = "application/rss+xml; charset=UTF-8"


@pytest.fixture
def server(settings):
    settings.NEWSROOM_FETCH_ALLOW_LOOPBACK = True
    with WebServer() as running:
        yield running


@pytest.fixture
def feed_source(server, source_factory):
    """``feed_source(path, body, **route)``: a source whose feed the server serves."""

    def make(path="/feed/", body="", name=None, **route):
        route.setdefault("content_type", RSS)
        url = server.add(path, body=body, **route)
        return source_factory(name=name or f"Source at {path}", feed_url=url)

    return make


def state_of(source) -> FeedState:
    return FeedState.objects.get(source=source)


# -- Reading the three formats ----------------------------------------------------------


def test_an_rss_feed_puts_its_items_on_the_wire(feed_source):
    source = feed_source(body=rss2([story(1), story(2)]))
    report = sources_fetch()
    assert (report.read, report.new_items) == (1, 2)
    item = WireItem.objects.get(link="https://thecradle.example/west-asia-briefing-1/")
    assert item.source == source
    assert item.title == "West Asia briefing 1: talks resume in Doha & Cairo"
    assert item.guid == "https://thecradle.example/?p=10001"
    assert item.published_at == datetime(2024, 8, 1, 8, 30, tzinfo=UTC)
    assert item.author == "News Desk"
    assert item.summary.startswith("Negotiators met for the 1th round on Thursday")
    assert "<" not in item.summary
    assert item.state == WireItem.State.NEW


def test_an_atom_feed_puts_its_items_on_the_wire(feed_source):
    feed_source(body=atom([story(3)]), content_type="application/atom+xml")
    sources_fetch()
    item = WireItem.objects.get()
    assert (item.title, item.author) == (
        "West Asia briefing 3: talks resume in Doha & Cairo",
        "News Desk",
    )
    assert item.published_at == datetime(2024, 8, 1, 6, 30, tzinfo=UTC)


def test_an_rss_1_feed_puts_its_items_on_the_wire(feed_source):
    feed_source(body=rss1([story(4), story(5)]), content_type="application/rdf+xml")
    sources_fetch()
    assert sorted(WireItem.objects.values_list("title", flat=True)) == [
        "West Asia briefing 4: talks resume in Doha & Cairo",
        "West Asia briefing 5: talks resume in Doha & Cairo",
    ]


def test_the_source_shows_when_it_was_fetched_and_how_many_items_it_gave(feed_source):
    source = feed_source(body=rss2([story(n) for n in range(1, 8)]))
    sources_fetch()
    state = state_of(source)
    assert state.last_fetched_at is not None
    assert (state.items_last_time, state.new_items_last_time, state.last_error) == (7, 7, "")


def test_a_misdated_item_is_listed_at_its_fetch_time(feed_source):
    future = story(1)
    future.published = timezone.now() + timedelta(days=30)
    feed_source(body=rss2([future]))
    sources_fetch()
    item = WireItem.objects.get()
    assert item.listed_at <= timezone.now() < item.published_at


# -- De-duplication ----------------------------------------------------------------------


def test_a_second_run_adds_no_item_twice(feed_source):
    source = feed_source(body=rss2([story(1), story(2)]))
    sources_fetch()
    report = sources_fetch(force=True)
    assert report.new_items == 0
    assert WireItem.objects.count() == 2
    assert state_of(source).new_items_last_time == 0


def test_an_item_whose_guid_changed_is_known_by_its_link(feed_source, server):
    feed_source(body=rss2([story(1)]))
    sources_fetch()
    renamed = story(1)
    renamed.guid = "urn:uuid:changed"
    server.add("/feed/", body=rss2([renamed, story(2)]), content_type=RSS)
    report = sources_fetch(force=True)
    assert report.new_items == 1
    assert WireItem.objects.count() == 2


def test_a_story_another_source_already_carried_is_not_added_again(feed_source):
    feed_source("/a/", body=rss2([story(1)]), name="The Cradle")
    feed_source(
        "/b/", body=atom([story(1)]), name="Syndicator", content_type="application/atom+xml"
    )
    sources_fetch()
    assert WireItem.objects.count() == 1


# -- Conditional GET, 304, 410 ------------------------------------------------------------


def test_an_unchanged_feed_is_asked_with_its_etag_and_counted_as_not_modified(feed_source, server):
    source = feed_source(body=rss2([story(1)]), etag='"v1"')
    sources_fetch()
    report = sources_fetch(force=True)
    assert report.not_modified == 1
    assert server.requests[-1][1]["If-None-Match"] == '"v1"'
    state = state_of(source)
    assert (state.not_modified_count, state.items_last_time, state.etag) == (1, 1, '"v1"')


def test_an_unchanged_feed_is_asked_with_its_last_modified_time(feed_source, server):
    stamp = "Thu, 01 Aug 2024 09:30:00 GMT"
    source = feed_source(body=rss2([story(1)]), last_modified=stamp)
    sources_fetch()
    sources_fetch(force=True)
    assert server.requests[-1][1]["If-Modified-Since"] == stamp
    assert state_of(source).not_modified_count == 1


def test_a_gone_feed_is_no_longer_fetched_and_says_why(feed_source, server):
    source = feed_source(status=410, body="Gone", content_type="text/plain")
    report = sources_fetch()
    state = state_of(source)
    assert report.gone == 1
    assert state.gone_at is not None
    assert "410 Gone" in state.last_error
    FeedState.objects.update(next_fetch_at=timezone.now() - timedelta(days=1))
    assert sources_fetch().sources == 0
    assert len(server.requests) == 1


def test_a_gone_feed_with_a_new_address_is_fetched_again(feed_source, server):
    source = feed_source(status=410, body="Gone", content_type="text/plain")
    sources_fetch()
    source.feed_url = server.add("/new-feed/", body=rss2([story(1)]), content_type=RSS)
    source.save()
    report = sources_fetch()
    assert (report.read, report.new_items) == (1, 1)
    assert state_of(source).gone_at is None


# -- Feeds that go wrong -----------------------------------------------------------------


def test_a_page_that_is_no_feed_is_recorded_as_the_sources_error(feed_source):
    source = feed_source(body="<html><body>Maintenance</body></html>", content_type="text/html")
    report = sources_fetch()
    assert report.failed == 1
    assert "could not be read" in state_of(source).last_error


def test_a_malformed_feed_is_read_leniently_and_says_so(feed_source):
    broken = rss2([story(1)]).replace("</channel>", "<item><title>Oops & co</title></channel>")
    source = feed_source(body=broken)
    report = sources_fetch()
    assert report.new_items >= 1
    assert "not well-formed" in state_of(source).last_error


def test_an_empty_feed_gives_no_items_and_no_error(feed_source):
    source = feed_source(body=rss2([]))
    report = sources_fetch()
    assert (report.read, report.new_items, state_of(source).last_error) == (1, 0, "")


def test_an_empty_answer_is_an_error(feed_source):
    source = feed_source(body="")
    sources_fetch()
    assert state_of(source).last_error == "The feed is empty (no content)."


def test_entries_without_title_or_link_are_skipped_and_reported(feed_source):
    feed = rss2([story(1)]).replace(
        "</channel>", "<item><description>x</description></item></channel>"
    )
    source = feed_source(body=feed)
    report = sources_fetch()
    assert report.new_items == 1
    assert (
        "1 entries not read in full: entry 2 skipped: an entry with neither a title nor a web link."
        in state_of(source).last_error
    )
    assert any("entry 2 skipped" in problem for problem in report.problems)


def test_an_entry_with_a_script_link_is_kept_without_it_and_reported(feed_source):
    unsafe = story(1)
    unsafe.link = "javascript:alert(1)"
    source = feed_source(body=rss2([unsafe]))
    sources_fetch()
    assert WireItem.objects.get().link == ""
    assert "entry 1 kept without its link, which is not a web address ('javascript:alert(1)')" in (
        state_of(source).last_error
    )


def test_a_relative_link_is_resolved_against_the_feeds_address(feed_source, server):
    relative = story(1)
    relative.link = "/story/one/"
    feed_source(body=rss2([relative]))
    sources_fetch()
    assert WireItem.objects.get().link == server.url("/story/one/")


def test_a_feed_over_the_size_limit_is_refused(feed_source, settings):
    settings.NEWSROOM_FETCH_MAX_BYTES = 50_000
    source = feed_source(body=rss2([story(n) for n in range(200)]))
    sources_fetch()
    assert "larger than the limit of 50,000 bytes" in state_of(source).last_error
    assert WireItem.objects.count() == 0


def test_a_slow_feed_is_given_up(feed_source, settings):
    settings.NEWSROOM_FETCH_TIMEOUT = 0.5
    source = feed_source(body=rss2([story(1)]), delay=2)
    sources_fetch()
    assert "took longer than 0.5 seconds" in state_of(source).last_error


def test_a_feed_redirecting_to_a_refused_address_is_refused(feed_source):
    source = feed_source(status=302, headers={"Location": "http://169.254.169.254/latest/"})
    sources_fetch()
    assert "link-local address" in state_of(source).last_error


def test_an_error_status_is_recorded(feed_source):
    source = feed_source(status=503, body="Busy", content_type="text/plain")
    sources_fetch()
    assert state_of(source).last_error == "The feed answered HTTP 503."


# -- Back-off and isolation ---------------------------------------------------------------


def test_a_failing_feed_waits_twice_as_long_after_each_failure(feed_source, settings):
    settings.WIRE_FETCH_INTERVAL_SECONDS = 600
    source = feed_source(status=500, body="Error", content_type="text/plain")
    waits = []
    for _ in range(3):
        before = timezone.now()
        sources_fetch(force=True)
        state = state_of(source)
        waits.append(round((state.next_fetch_at - before).total_seconds() / 600))
    assert waits == [2, 4, 8]
    assert state.consecutive_failures == 3


def test_the_back_off_stops_at_its_limit(feed_source, settings):
    settings.WIRE_FETCH_INTERVAL_SECONDS = 600
    settings.WIRE_MAX_BACKOFF_SECONDS = 3600
    source = feed_source(status=500, body="Error", content_type="text/plain")
    for _ in range(5):
        sources_fetch(force=True)
    state = state_of(source)
    assert state.next_fetch_at - state.last_fetched_at == timedelta(seconds=3600)


def test_a_feed_that_recovers_is_fetched_on_the_normal_interval(feed_source, server, settings):
    settings.WIRE_FETCH_INTERVAL_SECONDS = 600
    source = feed_source(status=500, body="Error", content_type="text/plain")
    sources_fetch()
    server.add("/feed/", body=rss2([story(1)]), content_type=RSS)
    sources_fetch(force=True)
    state = state_of(source)
    assert (state.consecutive_failures, state.last_error) == (0, "")
    assert state.next_fetch_at - state.last_fetched_at == timedelta(seconds=600)


def test_a_failing_feed_does_not_stop_the_others(feed_source, source_factory):
    feed_source("/broken/", status=500, body="Error", content_type="text/plain")
    source_factory(name="Internal", feed_url="http://10.0.0.1/feed")
    feed_source("/slow/", body=rss2([story(9)]), delay=0.3)
    feed_source("/good/", body=rss2([story(1), story(2)]))
    report = sources_fetch()
    assert (report.sources, report.failed, report.read, report.new_items) == (4, 2, 2, 3)
    assert any(p.startswith("Internal: 10.0.0.1 is a private address") for p in report.problems)


def test_feeds_are_fetched_a_few_at_a_time(feed_source, server):
    for n in range(6):
        feed_source(f"/feed{n}/", body=rss2([story(n)]), delay=0.3)
    report = sources_fetch(workers=3)
    assert report.read == 6
    assert server.most_in_flight == 3
    assert report.seconds < 6 * 0.3


def test_a_source_is_not_fetched_again_before_it_is_due(feed_source, server):
    feed_source(body=rss2([story(1)]))
    sources_fetch()
    assert sources_fetch().sources == 0
    assert len(server.requests) == 1


def test_sources_without_a_feed_are_not_fetched(source_factory):
    source_factory(feed_url="")
    assert sources_fetch().sources == 0


# -- The command ---------------------------------------------------------------------------


def test_the_command_reports_the_run_and_each_problem(feed_source, capsys):
    feed_source("/good/", body=rss2([story(1)]))
    feed_source("/bad/", name="Flaky", status=500, body="x", content_type="text/plain")
    call_command("fetch_sources")
    out, err = capsys.readouterr()
    assert "2 feeds in" in out
    assert "1 read, 0 not modified, 1 failed, 0 gone; 1 new items." in out
    assert "Flaky: The feed answered HTTP 500." in err


def test_the_command_queues_the_periodic_task_with_a_deferring_backend(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("fetch_sources", "--queue")
    assert DBTaskResult.objects.get().task_path == "wire.tasks.fetch_sources"


def test_the_periodic_task_fetches_and_queues_its_next_run(feed_source, settings):
    from django_tasks_db.models import DBTaskResult

    from wire.tasks import fetch_sources

    feed_source(body=rss2([story(1)]))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert fetch_sources.call() == {"sources": 1, "new_items": 1, "failed": 0}
    queued = DBTaskResult.objects.get()
    assert queued.run_after > timezone.now() + timedelta(seconds=800)


# -- Cost -------------------------------------------------------------------------------------


def test_a_run_costs_a_bounded_number_of_queries(feed_source, django_assert_max_num_queries):
    for n in range(5):
        feed_source(f"/feed{n}/", body=rss2([story(n * 100 + i) for i in range(50)]))
    # A run: 9 queries; each source: 4, plus its transaction's savepoint and release.
    with django_assert_max_num_queries(9 + 5 * 6):
        report = sources_fetch()
    assert report.new_items == 250
