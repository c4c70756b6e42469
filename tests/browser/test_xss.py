"""Cross-site scripting, tried in chromium (issue 8).

The corpus in ``tests/xss_payloads.py`` goes in everywhere untrusted text can:
a commenter's name, website and comment (posted through the comment form),
and an editor's article title, body, excerpt, category, tag and source names.
Then chromium opens every page that shows them — the post page, listings,
search results, feeds, the moderators' and editors' admin pages — and:

* no payload runs: no dialog, no uncaught error, no ``console.error("XSS")``,
  ``window.__xss`` stays undefined, and the page does not navigate away;
* nothing that could run is in the DOM: no ``on*`` attribute, no
  ``javascript:``/``data:``/``vbscript:`` address, no inline script, frame,
  ``<base>``, ``<meta http-equiv>`` or CSS expression, every JSON-LD block parses;
* the text stays readable: what was typed is shown as text.

The browser context bypasses the Content Security Policy, so what is tested is
the escaping and sanitising themselves; the CSP is a second line of defence.
"""

import html
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.html import strip_control_characters
from articles.models import Article
from comments.forms import CommentForm
from comments.models import Comment
from comments.services import RequestInfo, comment_moderate, comment_submit
from tests.xss_payloads import BREAKOUTS, PAYLOADS, URL_PAYLOADS

pytestmark = pytest.mark.django_db(transaction=True)

# Fire the handlers that need a person (hover, focus) on every element, without clicking.
POKE = """() => {
  for (const el of document.querySelectorAll("body *")) {
    for (const type of ["mouseover", "mouseenter", "pointerover", "focus", "focusin", "toggle"]) {
      try { el.dispatchEvent(new Event(type, {bubbles: false})); } catch (e) {}
    }
  }
}"""

# What a page must not contain, whatever was typed into it.
DOM_AUDIT = r"""() => {
  const problems = [];
  const squeeze = (v) => (v || "").replace(/[\u0000-\u0020\u007f-\u00a0]+/g, "").toLowerCase();
  const dangerous = (v) => /^(javascript|vbscript|data|livescript):/.test(squeeze(v));
  const urlAttributes = ["href", "src", "action", "formaction", "data", "xlink:href",
                         "background", "poster", "codebase", "dynsrc", "lowsrc", "cite"];
  const describe = (el) => el.outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) problems.push("event handler: " + describe(el));
      if (urlAttributes.includes(name) && dangerous(attr.value))
        problems.push("dangerous address: " + describe(el));
      if (name === "srcdoc") problems.push("srcdoc: " + describe(el));
      if (name === "style" && /expression|javascript:|url\s*\(/i.test(attr.value))
        problems.push("style: " + describe(el));
    }
    if (["iframe", "frame", "frameset", "object", "embed", "applet", "base"].includes(tag))
      problems.push("element: " + describe(el));
    if (tag === "meta" && el.hasAttribute("http-equiv"))
      problems.push("meta http-equiv: " + describe(el));
    if (tag === "style" && el.closest("body")) problems.push("style element in body");
    if (tag === "script") {
      const type = (el.getAttribute("type") || "").toLowerCase();
      if (el.hasAttribute("src")) {
        if (new URL(el.src, location.href).origin !== location.origin)
          problems.push("foreign script: " + el.src);
      } else if (["application/ld+json", "application/json", "importmap"].includes(type)) {
        try { JSON.parse(el.textContent); } catch (e) { problems.push("broken JSON: " + describe(el)); }
      } else {
        problems.push("inline script: " + describe(el));
      }
    }
  }
  return problems;
}"""


@pytest.fixture
def xss_context(browser):
    """Browser contexts that record every sign of a payload running."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.ran = []
        page.on("pageerror", lambda error: page.ran.append(f"pageerror: {error}"))
        page.on(
            "dialog",
            lambda dialog: (page.ran.append(f"dialog: {dialog.message}"), dialog.dismiss()),
        )
        page.on(
            "console",
            lambda message: "XSS" in message.text and page.ran.append(f"console: {message.text}"),
        )
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )


def assert_nothing_runs(page, url: str, *, status: int = 200) -> None:
    """Open ``url`` (unless already there), poke it, and check nothing ran."""
    if url != page.url:
        response = page.goto(url)
        assert response.status == status, f"{url}: {response.status}"
    page.evaluate(POKE)
    page.wait_for_timeout(150)  # image errors, <details> toggles, animations
    assert page.ran == [], f"script ran on {url}: {page.ran}"
    assert page.evaluate("typeof window.__xss") == "undefined", f"window.__xss set on {url}"
    assert page.url.split("#")[0] == url.split("#")[0], f"{url} navigated to {page.url}"
    problems = page.evaluate(DOM_AUDIT)
    assert problems == [], f"{url}:\n" + "\n".join(problems)


def squeeze(text: str) -> str:
    """Whitespace collapsed, as ``innerText`` and the name field show it; control
    characters gone, as the form and Article.save remove them."""
    return " ".join(strip_control_characters(text).split())


@pytest.fixture
def roomy(settings, monkeypatch):
    """Everything on one page, and no limits on how fast the corpus is posted."""
    settings.COMMENTS_PER_PAGE = 1000
    settings.NEWSROOM_PAGE_SIZE = 200
    settings.COMMENTS_RATE_REFUSE_AFTER = 10**9
    settings.COMMENTS_RATE_HOLD_AFTER = 10**9
    settings.COMMENTS_SPAM_CHECKS = []  # every comment is approved by hand below
    monkeypatch.setattr("articles.feeds.FEED_SIZE", 200)
    monkeypatch.setattr("comments.feeds.FEED_SIZE", 1000)


def serving(html: str):
    return lambda route: route.fulfill(body=html, content_type="text/html")


def test_the_checks_notice_a_payload_that_runs(live_server, xss_context):
    """The checks above can fail: pages that do run a payload are caught."""
    page = xss_context()
    cases = [
        ("<script>alert(1)</script>", "dialog: 1"),
        ("<div onmouseover=\"console.error('XSS')\">hover</div>", "console: XSS"),
        ("<script>window.__xss = 1</script>", "window.__xss"),
        ('<img src=x onerror="throw new Error(1)">', "pageerror"),
        ('<a href=" JaVa&#x09;Script:void(0)">link</a>', "dangerous address"),
        ("<p onclick=alert(2)>click</p>", "event handler"),
    ]
    for i, (payload, sign) in enumerate(cases):
        url = f"{live_server.url}/harness-check/{i}/"
        html = f"<!doctype html><html><head><title>t</title></head><body>{payload}</body></html>"
        page.route(url, serving(html))
        with pytest.raises(AssertionError, match=re.escape(sign)):
            assert_nothing_runs(page, url)
        page.ran.clear()


# --- (a) Commenters ----------------------------------------------------------------------


def post_comment(article, **fields) -> Comment | None:
    """Submit the comment form as the comment view does (``CommentForm``, then
    ``comment_submit``); the stored comment, or None when the form refuses it."""
    data = {
        "author_name": "Reader",
        "author_email": "reader@example.org",
        "author_url": "",
        "body": "Plain words.",
        **fields,
    }
    form = CommentForm(data, article=article)
    if not form.is_valid():
        return None
    cleaned = form.cleaned_data
    return comment_submit(
        article=article,
        author_name=cleaned["author_name"],
        author_email=cleaned["author_email"],
        author_url=cleaned["author_url"],
        body=cleaned["body"],
        parent=cleaned["parent"],
        request_info=RequestInfo(ip_address="192.0.2.44", extra=form.spam_signals(visitor="")),
    )


def test_comment_payloads_never_run_and_stay_readable(
    live_server, xss_context, roomy, article_factory, moderator
):
    article = article_factory(title="A discussed article")
    as_body, as_name, as_website = {}, {}, {}
    for i, payload in enumerate(PAYLOADS):
        # Each payload as the comment and, where it fits in 100 characters, as the name.
        fits = len(squeeze(payload)) <= 100
        comment = post_comment(
            article, author_name=payload if fits else f"Reader {i}", body=payload
        )
        assert comment is not None, f"refused: {payload!r}"
        as_body[comment.pk] = payload
        if fits:
            as_name[comment.pk] = payload
    for website in URL_PAYLOADS + PAYLOADS:
        comment = post_comment(article, author_url=website, body=f"Website {website}")
        if comment is not None:
            as_website[comment.pk] = website
    # Only addresses that are http(s) are taken; the scripts in them stay in the path.
    stored_sites = list(Comment.objects.exclude(author_url="").values_list("author_url", flat=True))
    assert stored_sites
    assert all(u.startswith(("https://", "http://")) for u in stored_sites)

    for comment in Comment.objects.all():
        comment_moderate(comment=comment, status="approved", moderator=moderator)

    page = xss_context()
    url = live_server.url + article.get_absolute_url()
    assert_nothing_runs(page, url)
    shown = page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll("li.comment")).map(
             (li) => [li.id.replace("comment-", ""), {
               text: li.querySelector(".comment__text").innerText,
               author: li.querySelector(".comment__author").innerText,
               href: li.querySelector(".comment__author a")?.getAttribute("href") ?? null,
             }]))"""
    )
    assert len(shown) == Comment.objects.count()
    for pk, payload in as_body.items():
        assert squeeze(shown[str(pk)]["text"]) == squeeze(payload), f"body {payload!r}"
    for pk, payload in as_name.items():
        assert shown[str(pk)]["author"] == squeeze(payload), f"name {payload!r}"
    for pk in as_website:
        assert shown[str(pk)]["href"] == Comment.objects.get(pk=pk).author_url

    # A reply to a name that breaks out of attributes; the comments feeds.
    breakout = next(pk for pk, name in as_name.items() if name in BREAKOUTS)
    assert_nothing_runs(page, f"{url}?replytocom={breakout}#respond")
    assert page.locator("#respond h2").inner_text() == f"Reply to {squeeze(as_name[breakout])}"
    for feed in ("/comments/feed/", f"{article.get_absolute_url()}feed/"):
        assert_nothing_runs(page, live_server.url + feed)
        # RSS descriptions are HTML: a feed reader shows the comment back exactly,
        # as text (escaped once inside the HTML), never as live markup.
        items = ET.fromstring(Client().get(feed).content).findall("channel/item/description")
        assert not any("<script" in (item.text or "") for item in items)
        assert any(
            '<script>alert("XSS")</script>' in html.unescape(item.text or "") for item in items
        )

    # The moderators' desk: the queue (every page of it), a few comments, the reply form.
    desk = xss_context()
    log_in(desk, live_server, moderator)
    changelist = live_server.url + reverse("admin:comments_comment_changelist")
    pages = -(-Comment.objects.count() // 50)
    for number in range(pages):
        assert_nothing_runs(desk, f"{changelist}?status=all&p={number + 1}")
    for pk in [breakout, *list(as_body)[:2], *list(as_website)[:2]]:
        assert_nothing_runs(
            desk, live_server.url + reverse("admin:comments_comment_change", args=[pk])
        )
    assert_nothing_runs(
        desk, live_server.url + reverse("admin:comments_comment_reply", args=[breakout])
    )
    assert squeeze(as_name[breakout]) in desk.title()


def test_comment_form_typed_in_the_browser_never_runs_what_it_shows_back(
    live_server, xss_context, roomy, article_factory
):
    """Through the real form: an invalid submission shows the text back in the
    form; a valid one shows the pending comment to its author and remembers them."""
    article = article_factory(title="Form article")
    url = live_server.url + article.get_absolute_url()
    page = xss_context()
    page.goto(url)
    name, body = '" autofocus onfocus="alert(94)', "</textarea><script>alert(98)</script>"
    page.locator("#id_author_name").fill(name)
    page.locator("#id_author_email").fill("not an email")
    page.locator("#id_author_url").fill("javascript:alert(130)")
    page.locator("#id_body").fill(body)
    page.locator("form.comment-form").evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_load_state()
    assert page.get_by_text("Enter a valid email address.").is_visible()
    assert_nothing_runs(page, page.url)
    assert page.locator("#id_author_name").input_value() == name
    assert page.locator("#id_body").input_value() == body
    assert not Comment.objects.exists()

    page.locator("#id_author_email").fill("zoe@example.org")
    page.locator("#id_author_url").fill('https://example.com/"><script>alert(138)</script>')
    page.locator("#id_remember").check()
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_url(f"{url}#comment-*")
    assert_nothing_runs(page, page.url)
    assert page.get_by_text("Your comment is awaiting moderation.").is_visible()
    assert page.locator(".comment__text").inner_text() == body
    # Next visit: the remembered name and website fill the form.
    assert_nothing_runs(page, url + "?again=1")
    assert page.locator("#id_author_name").input_value() == squeeze(name)
    assert page.locator("#id_author_url").input_value().startswith("https://example.com/")


# --- (b) Editors -------------------------------------------------------------------------


def titles_of_at_most(limit: int, payloads: list[str]) -> list[str]:
    """The payloads joined into as few titles of at most ``limit`` characters as fit."""
    titles, current = [], "xsscorpus"
    for payload in payloads:
        candidate = f"{current} {payload}"
        if len(candidate) > limit:
            titles.append(current)
            candidate = f"xsscorpus {payload}"
        current = candidate
    return [*titles, current]


# Payloads that leave a raw-text element open (<script>, <style>): like a browser,
# the sanitiser takes everything after them as that element's content and drops
# it. Each gets an article of its own, so it does not swallow the others.
RAW_TEXT_LEFT_OPEN = [
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(56)>",
    "<div><b><i>unclosed <script>alert(86)",
    '\\"</script><script>alert(101)//',
]
assert set(RAW_TEXT_LEFT_OPEN) <= set(PAYLOADS)
IN_ONE_BODY = [p for p in PAYLOADS if p not in RAW_TEXT_LEFT_OPEN]


def body_of(payloads: list[str]) -> str:
    return "\n".join(
        f"<p>Marker {i}.</p>\n{payload}\n<p>End {i}.</p>" for i, payload in enumerate(payloads)
    )


@pytest.fixture
def corpus_articles(roomy, editor, article_factory, category_factory, source_factory):
    """What an editor can write: titles, bodies, excerpts, category, tag and source names."""
    category = category_factory(name='Cat "><svg onload=alert(200)>', slug="cat")
    source = source_factory(name="Src </script><script>alert(201)</script>", slug="src")
    tag = Tag.objects.create(name="Tag <img src=x onerror=alert(202)>", slug="tag")
    filing = {"author": editor, "categories": [category], "tags": [tag], "source": source}
    in_body = article_factory(
        title="xsscorpus body of payloads", body=body_of(IN_ONE_BODY), **filing
    )
    left_open = [
        article_factory(title=f"xsscorpus left open {i}", body=body_of([payload]), **filing)
        for i, payload in enumerate(RAW_TEXT_LEFT_OPEN)
    ]
    titled = [
        article_factory(title=title, excerpt=title, body="<p>xsscorpus</p>", **filing)
        for title in titles_of_at_most(300, PAYLOADS)
    ]
    return {"body": in_body, "left_open": left_open, "titled": titled}


def test_article_body_payloads_are_sanitised_and_the_text_stays(
    live_server, xss_context, corpus_articles
):
    article = corpus_articles["body"]
    page = xss_context()
    for left_open in corpus_articles["left_open"]:
        assert_nothing_runs(page, live_server.url + left_open.get_absolute_url())
        assert "Marker 0." in page.locator(".post__body").inner_text()
    assert_nothing_runs(page, live_server.url + article.get_absolute_url())
    text = page.locator(".post__body").inner_text()
    lost = [IN_ONE_BODY[i] for i in range(len(IN_ONE_BODY)) if f"End {i}." not in text]
    assert not lost, f"the text after these payloads was lost: {lost}"
    # Entities and template syntax are text, shown as typed (decoded once, never evaluated).
    assert "<script>alert(70)</script>" in text
    assert "{{7*7}} {{ request.user.password }}" in text
    assert "{% debug %}{% load static %}" in text


def test_article_title_payloads_never_run_anywhere_they_are_shown(
    live_server, xss_context, corpus_articles, editor
):
    titled = corpus_articles["titled"]
    page = xss_context()
    for article in titled:
        assert_nothing_runs(page, live_server.url + article.get_absolute_url())
        assert squeeze(page.locator("h1.post__title").inner_text()) == squeeze(article.title)
        assert squeeze(article.title) in squeeze(page.title())
        headline = page.evaluate(
            """() => JSON.parse(document.querySelector('script[type="application/ld+json"]')
                                 .textContent).headline"""
        )
        assert headline == article.title[:110]
        og_title = page.locator('meta[property="og:title"]').get_attribute("content")
        assert og_title == article.title

    # Listings and search: every title, as text, on one page each.
    listings = ["/", "/search/?q=xsscorpus", "/category/cat/", "/tag/tag/", "/source/src/"]
    for path in listings:
        assert_nothing_runs(page, live_server.url + path)
        cards = [squeeze(t) for t in page.locator(".card__title").all_inner_texts()]
        for article in titled:
            assert squeeze(article.title) in cards, f"{path}: {article.title!r} missing"

    # The editors' changelist in the admin.
    desk = xss_context()
    log_in(desk, live_server, editor)
    assert_nothing_runs(desk, live_server.url + reverse("admin:articles_article_changelist"))
    assert_nothing_runs(
        desk, live_server.url + reverse("admin:articles_article_change", args=[titled[0].pk])
    )


def test_feeds_carry_payload_titles_as_text(live_server, xss_context, corpus_articles):
    titled = Article.objects.filter(pk__in=[a.pk for a in corpus_articles["titled"]])
    page = xss_context()
    for path, title_tag in (
        ("/feed/", "channel/item/title"),
        ("/feed/atom/", "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title"),
        ("/category/cat/feed/", "channel/item/title"),
    ):
        assert_nothing_runs(page, live_server.url + path)
        # A feed reader gets the titles back exactly, as text: Atom's are typed
        # text; RSS titles are read as HTML by most readers, so they are escaped.
        feed = ET.fromstring(Client().get(path).content)
        titles = {element.text for element in feed.findall(title_tag)}
        if path != "/feed/atom/":
            assert not any("<" in title for title in titles)
            titles = {html.unescape(title) for title in titles}
        assert {article.title for article in titled} <= titles


def test_search_query_payloads_are_not_reflected_as_markup(live_server, xss_context, roomy):
    """The search page shows the query in its title, heading, field and message."""
    page = xss_context()
    queries = titles_of_at_most(200, BREAKOUTS + PAYLOADS[:12])
    for query in queries:
        assert_nothing_runs(page, f"{live_server.url}/search/?q={quote(query)}")
        assert page.locator("#search-page-q").input_value() == squeeze(query)
        assert squeeze(query) in page.locator("h1").inner_text()


def test_unpublished_preview_with_payloads_never_runs(
    live_server, xss_context, corpus_articles, editor
):
    article = corpus_articles["body"]
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    page = xss_context()
    log_in(page, live_server, editor)
    assert_nothing_runs(page, live_server.url + article.get_absolute_url())
    assert page.get_by_text("Readers cannot see it.").is_visible()
