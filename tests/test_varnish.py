"""The shipped Varnish configuration (deploy/varnish/default.vcl) in a real
varnishd in front of a live test server: pages shared, purged exactly after
each change, never shared with a visitor holding a personal cookie.

Skipped where /usr/sbin/varnishd (Debian: varnish, varnish-modules) is missing;
``.ci/run`` installs them."""

import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from articles.models import Article
from articles.services import article_save, articles_publish, articles_unpublish
from comments.services import comment_moderate
from newsroom import frontcache, pagecache
from newsroom.models import PendingPurge, SiteSettings
from tests.faults import TcpForwarder, free_port
from tests.web_server import WebServer

VCL = Path(__file__).resolve().parent.parent / "deploy" / "varnish" / "default.vcl"
VARNISHD = "/usr/sbin/varnishd"


def vcl_list(pattern: str) -> set[str]:
    """The alternatives of the group ``pattern`` captures in the shipped VCL."""
    return set(re.search(pattern, VCL.read_text()).group(1).split("|"))


def test_the_vcl_passes_exactly_the_cookies_the_page_cache_calls_personal():
    cookies = vcl_list(r'req\.http\.Cookie ~ "\(\^\|;\\s\*\)\(([^)]*)\)="')
    assert cookies == pagecache.personal_cookies | {django_settings.SESSION_COOKIE_NAME}


def test_the_vcl_strips_exactly_the_tracking_parameters_the_page_cache_ignores():
    stripped = vcl_list(r'regsuball\(req\.url, "\(\?<=\[\?&\]\)\(([^)]*)\)')
    prefixes = {name[: -len("[^=&]*")] for name in stripped if name.endswith("[^=&]*")}
    assert prefixes == set(pagecache.TRACKING_PREFIXES)
    assert stripped - {p + "[^=&]*" for p in prefixes} == pagecache.TRACKING_PARAMETERS


needs_varnishd = pytest.mark.skipif(
    not Path(VARNISHD).exists() or not shutil.which("cc"), reason="varnishd is not installed"
)


class Varnish:
    """varnishd on a free port with the shipped VCL, its backend the live server."""

    def __init__(self, workdir: Path, backend_port: int):
        self.port = free_port()
        vcl = VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";')
        (workdir / "default.vcl").write_text(vcl)
        self.log = workdir / "varnishd.log"
        self.process = subprocess.Popen(
            [VARNISHD, "-F", "-j", "none", "-n", str(workdir / "state"), "-f",
             str(workdir / "default.vcl"), "-a", f"127.0.0.1:{self.port}", "-s", "malloc,64m"],
            stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.get("/robots.txt")[0] == 200:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"varnishd did not start: {self.log.read_text()[-2000:]}")

    def get(self, path: str, **headers) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except OSError:
            return 0, {}, b""

    def shows_within(self, path: str, text: bytes, *, seconds: float = 1.0, present=True) -> bool:
        deadline = time.monotonic() + seconds
        while True:
            if (text in self.get(path)[2]) == present:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def cached(self, path: str) -> bool:
        """Whether ``path`` is in the cache after at most a few requests (a page
        rendered while something changed is not shared: the next one is)."""
        return any(self.get(path)[1].get("X-Edge-Cache") == "HIT" for _ in range(4))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def varnish(tmp_path, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    varnish = Varnish(tmp_path, int(live_server.url.rsplit(":", 1)[1]))
    settings.NEWSROOM_FRONTEND_CACHE_URLS = [f"varnish://127.0.0.1:{varnish.port}"]
    settings.NEWSROOM_EDGE_CACHE_SECONDS = 600
    frontcache._down_until.clear()
    yield varnish
    varnish.stop()


@pytest.fixture
def article(transactional_db, article_factory):
    return article_factory(title="Through Varnish")


@needs_varnishd
def test_a_page_is_served_from_varnish_the_second_time(varnish, article):
    url = article.get_absolute_url()
    first, second = varnish.get(url), varnish.get(url)
    assert (first[1]["X-Edge-Cache"], second[1]["X-Edge-Cache"]) == ("MISS", "HIT")
    assert second[2] == first[2]
    assert "xkey" not in second[1]  # the keys are Varnish's own business


@needs_varnishd
def test_an_edit_shows_through_varnish_within_a_second(varnish, article):
    url = article.get_absolute_url()
    varnish.get(url), varnish.get("/")
    article.title = "Edited through Varnish"
    article_save(article=article)
    assert varnish.shows_within(url, b"Edited through Varnish")
    assert varnish.shows_within("/", b"Edited through Varnish")


@needs_varnishd
def test_a_page_fetched_while_a_purge_landed_is_not_kept(tmp_path):
    # The race a purge storm finds: a render that read the old rows reaches
    # Varnish just after the purge for the change; kept, it would be served
    # stale until the next purge. A stand-in backend holds the first answer
    # back while the purge lands.
    page = {
        "content_type": "text/html",
        "headers": {"Cache-Control": "public, s-maxage=600", "xkey": "article:1"},
    }
    with WebServer() as backend:
        backend.add("/robots.txt", body="ok")
        backend.add("/healthz", body="ok")
        backend.add("/story/", body="before the edit", delay=1.0, **page)
        varnish = Varnish(tmp_path, backend.server_address[1])
        try:
            reader = threading.Thread(target=varnish.get, args=("/story/",))
            reader.start()
            time.sleep(0.3)  # the fetch is under way, rendering the old rows
            backend.add("/story/", body="after the edit", **page)
            purge = urllib.request.Request(
                f"http://127.0.0.1:{varnish.port}/",
                method="PURGE",
                headers={"xkey-purge": "article:1"},
            )
            assert urllib.request.urlopen(purge, timeout=5).status == 200
            reader.join()
            assert varnish.get("/story/")[2] == b"after the edit"
            assert varnish.get("/story/")[1]["X-Edge-Cache"] == "HIT"  # the fresh copy is kept
        finally:
            varnish.stop()


@needs_varnishd
def test_unpublishing_takes_the_page_out_of_varnish_within_a_second(varnish, article):
    url = article.get_absolute_url()
    varnish.get(url)
    articles_unpublish(articles=Article.objects.filter(pk=article.pk))
    deadline = time.monotonic() + 1
    while varnish.get(url)[0] != 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert varnish.get(url)[0] == 404


@needs_varnishd
def test_an_approved_comment_shows_through_varnish_within_a_second(
    varnish, article, comment_factory, moderator
):
    url = article.get_absolute_url()
    comment = comment_factory(article=article, status="pending", body="Seen at the edge")
    varnish.get(url)
    comment_moderate(comment=comment, status="approved", moderator=moderator)
    assert varnish.shows_within(url, b"Seen at the edge")


@needs_varnishd
@pytest.mark.parametrize("cookie", ["comment_author=x", "sessionid=x", "pin_primary=1"])
def test_a_visitor_with_a_personal_cookie_is_never_given_the_shared_copy(varnish, article, cookie):
    url = article.get_absolute_url()
    varnish.get(url), varnish.get(url)
    for _ in range(2):
        status, headers, _ = varnish.get(url, Cookie=f"csrftoken=a; {cookie}")
        assert headers["X-Edge-Cache"] == "MISS"
        assert "private" in headers["Cache-Control"]


@needs_varnishd
def test_other_cookies_and_tracking_parameters_share_one_copy(varnish, article):
    assert varnish.cached("/")
    status, headers, _ = varnish.get("/?utm_source=news&fbclid=1", Cookie="_ga=1; csrftoken=b")
    assert headers["X-Edge-Cache"] == "HIT"


@needs_varnishd
def test_a_purge_relayed_from_a_visitor_is_refused(varnish, article):
    request = urllib.request.Request(
        f"http://127.0.0.1:{varnish.port}/",
        method="PURGE",
        headers={"xkey-purge": "content", "X-Forwarded-For": "203.0.113.9"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


@needs_varnishd
def test_the_admin_is_never_cached(varnish, article):
    varnish.get("/admin/login/"), varnish.get("/admin/login/")
    assert varnish.get("/admin/login/")[1]["X-Edge-Cache"] == "MISS"


@needs_varnishd
def test_a_purge_varnish_missed_is_retried_until_it_lands(varnish, article, settings):
    purge_path = TcpForwarder("127.0.0.1", varnish.port)
    settings.NEWSROOM_FRONTEND_CACHE_URLS = [f"varnish://127.0.0.1:{purge_path.port}"]
    url = article.get_absolute_url()
    varnish.get(url)
    purge_path.cut()
    article.title = "Edited while Varnish was unreachable"
    article_save(article=article)
    assert PendingPurge.objects.exists()
    assert not varnish.shows_within(url, b"unreachable", seconds=0.3)  # the missed purge
    purge_path.restore()
    assert frontcache.pending_purges_apply() == 0
    assert varnish.shows_within(url, b"Edited while Varnish was unreachable")


@needs_varnishd
def test_varnish_serves_the_last_copy_while_the_site_is_down(
    tmp_path, live_server, settings, article
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.NEWSROOM_EDGE_CACHE_SECONDS = 1  # expires at once: only grace can serve it
    site = TcpForwarder("127.0.0.1", int(live_server.url.rsplit(":", 1)[1]))
    varnish = Varnish(tmp_path, site.port)
    try:
        url = article.get_absolute_url()
        varnish.get(url)
        site.cut()
        time.sleep(2.5)
        status, _, body = varnish.get(url)
        assert (status, b"Through Varnish" in body) == (200, True)
    finally:
        varnish.stop()


@needs_varnishd
def test_every_kind_of_change_shows_through_varnish_within_a_second(
    varnish, article, article_factory, category_factory, source_factory, comment_factory, moderator
):
    url = article.get_absolute_url()
    category = category_factory(name="Before")
    article.source = source_factory(name="Before source")
    article_save(article=article, categories=[category], tags=["old-tag"])
    comment = comment_factory(article=article, body="Soon removed")
    draft = article_factory(title="Drafted story", status=Article.Status.DRAFT)
    for page in (url, "/"):
        varnish.get(page), varnish.get(page)

    articles_publish(articles=Article.objects.filter(pk=draft.pk))
    assert varnish.shows_within("/", b"Drafted story")
    category.name = "Renamed section"
    category.save()
    assert varnish.shows_within(url, b"Renamed section")
    tag = article.tags.get()
    tag.name = "renamed-tag"
    tag.save()
    assert varnish.shows_within(url, b"renamed-tag")
    source = article.source
    source.name = "Renamed source"
    source.save()
    assert varnish.shows_within(url, b"Renamed source")
    comment_moderate(comment=comment, status="trash", moderator=moderator)
    assert varnish.shows_within(url, b"Soon removed", present=False)
    site = SiteSettings.load()
    site.name = "Renamed newsroom"
    site.save()
    assert varnish.shows_within("/", b"Renamed newsroom")
