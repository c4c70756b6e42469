"""Issue #11, findings 5, 6 and 12: comment threads of any depth or shape, and old
WordPress links that lead only to what a reader may see.

* A reply nested deeper than ``COMMENTS_MAX_DEPTH`` is attached to its deepest
  allowed ancestor, wherever it comes from (import, reader, moderator), and
  a thread renders without recursion even when what is stored is deeper or
  loops.
* A loop of imported replies is cut and reported; the post and its comments land.
* An imported post's old link and ``/?p=`` are a 404 until the article is
  published, then one 301 to its address of the moment.
"""

import importlib
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.redirects.models import Redirect
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.services import articles_publish, articles_unpublish
from comments.models import Comment
from comments.services import comment_reply_as_site
from tests.imported import import_posts, post_xml, reported_about, table_row, wp_article, wp_comment
from wordpress.models import OldLink

pytestmark = pytest.mark.django_db

CHILD_LIST = '<ol class="comment-list comment-list--children">'


# -- Building and importing small exports ------------------------------------------


def comment_xml(wp_id: int, parent: int = 0, *, minute: int = 0) -> str:
    when = datetime(2024, 8, 1, 10, 0, tzinfo=UTC) + timedelta(minutes=minute)
    return f"""
        <wp:comment>
            <wp:comment_id>{wp_id}</wp:comment_id>
            <wp:comment_author><![CDATA[Reader {wp_id}]]></wp:comment_author>
            <wp:comment_author_email>reader{wp_id}@mail.example</wp:comment_author_email>
            <wp:comment_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>
            <wp:comment_content><![CDATA[Comment body {wp_id}.]]></wp:comment_content>
            <wp:comment_approved>1</wp:comment_approved>
            <wp:comment_type></wp:comment_type>
            <wp:comment_parent>{parent}</wp:comment_parent>
        </wp:comment>"""


def thread_of(html: str) -> str:
    """The comment thread of a post page (no form, no sidebar)."""
    return html[html.index('id="comments"') : html.index('id="respond"')]


def deepest_nesting(thread: str) -> int:
    """How many reply lists deep a comment thread goes."""
    depth = deepest = 0
    for tag in re.findall(r'<ol class="comment-list[^"]*">|</ol>', thread):
        depth += 1 if tag.startswith("<ol") else -1
        deepest = max(deepest, depth)
    return deepest - 1  # the outer list of top-level comments is not a reply list


# -- Finding 5: deep threads -----------------------------------------------------------


@pytest.fixture
def chain_120(tmp_path) -> Article:
    """An imported post whose comments 1001…1120 each reply to the one before."""
    comments = "".join(
        comment_xml(1000 + n, 1000 + n - 1 if n > 1 else 0, minute=n) for n in range(1, 121)
    )
    import_posts(tmp_path, post_xml(10, "deep-thread", comments=comments))
    return wp_article(10)


def test_imported_120_deep_reply_chain_stays_within_the_maximum_depth(chain_120, settings):
    depths = Comment.objects.filter(article=chain_120).values_list("depth", flat=True)
    assert len(depths) == 120
    assert max(depths) == settings.COMMENTS_MAX_DEPTH - 1


def test_imported_replies_too_deep_hang_from_their_deepest_allowed_ancestor(chain_120, settings):
    allowed_parent = wp_comment(1000 + settings.COMMENTS_MAX_DEPTH - 1)  # at depth limit-2
    for n in range(settings.COMMENTS_MAX_DEPTH, 121):
        comment = wp_comment(1000 + n)
        assert (comment.parent, comment.root) == (allowed_parent, wp_comment(1001))


def test_post_page_with_a_120_deep_imported_chain_shows_all_120(chain_120, client):
    response = client.get(chain_120.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f"Comment body {1000 + n}." in html for n in range(1, 121))


def test_chain_stored_deeper_than_the_limit_still_renders_every_comment(
    client, settings, article_factory, comment_factory
):
    article = article_factory()
    comment = None
    for n in range(120):  # written directly, as an older import did: depth 0 to 119
        comment = comment_factory(article=article, parent=comment, body=f"Stored {n}.")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f"Stored {n}." in html for n in range(120))
    thread = thread_of(html)
    assert deepest_nesting(thread) == settings.COMMENTS_MAX_DEPTH - 1
    assert thread.count("<li ") == thread.count("</li>") == 120


def test_comments_stored_in_a_loop_still_render(client, article_factory, comment_factory):
    article = article_factory()
    top = comment_factory(article=article)
    first = comment_factory(article=article, parent=top, body="First of the loop.")
    second = comment_factory(article=article, parent=first, body="Second of the loop.")
    Comment.objects.filter(pk=first.pk).update(parent=second, depth=2)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "First of the loop." in html
    assert "Second of the loop." in html


def test_thread_keeps_its_nested_list_markup(client, article_factory, comment_factory):
    article = article_factory()
    top = comment_factory(article=article, body="Top.")
    reply = comment_factory(article=article, parent=top, body="Reply.")
    html = client.get(article.get_absolute_url()).content.decode()
    li = html[html.index(f'id="comment-{top.pk}"') :]
    nested = li[li.index("</article>") :]
    assert re.match(
        rf'</article>\s*{re.escape(CHILD_LIST)}\s*<li class="comment" id="comment-{reply.pk}"',
        nested,
    )
    assert re.search(r"</article>\s*</li>\s*</ol>\s*</li>\s*</ol>", nested)


def test_moderator_reply_at_the_maximum_depth_is_attached_one_level_up(
    settings, admin_user, article_factory, comment_factory
):
    settings.COMMENTS_MAX_DEPTH = 3
    top = comment_factory(article=article_factory())
    middle = comment_factory(article=top.article, parent=top)
    deepest = comment_factory(article=top.article, parent=middle)
    reply = comment_reply_as_site(parent=deepest, body="From the desk.", moderator=admin_user)
    assert (reply.parent, reply.root, reply.depth) == (middle, top, 2)


# -- Finding 6: loops of replies ---------------------------------------------------------


LOOPS = {
    "two naming each other": [(201, 202), (202, 201), (203, 0)],
    "three in a ring": [(201, 203), (202, 201), (203, 202), (204, 202)],
}


@pytest.mark.parametrize("comments", LOOPS.values(), ids=LOOPS.keys())
def test_post_with_a_loop_of_replies_lands_with_all_its_comments(tmp_path, comments):
    xml = "".join(
        comment_xml(wp_id, parent, minute=i) for i, (wp_id, parent) in enumerate(comments)
    )
    import_posts(tmp_path, post_xml(20, "looping", comments=xml))
    assert wp_article(20).comments.count() == len(comments)
    assert wp_comment(201).parent is None  # the first of the loop in the export
    for wp_id, _parent in comments:
        comment = wp_comment(wp_id)
        assert comment.depth == (0 if comment.parent is None else comment.parent.depth + 1)


def test_loop_of_replies_is_reported_naming_the_post_and_the_comments(tmp_path):
    xml = comment_xml(201, 202) + comment_xml(202, 201, minute=1)
    output = import_posts(tmp_path, post_xml(20, "looping", comments=xml))
    assert reported_about(output, "Post 20") == [
        "comments 201, 202 reply to each other in a loop; "
        "comment 201 imported as a top-level comment"
    ]
    assert "not imported" not in output


def test_comment_replying_to_itself_lands_top_level_and_is_reported(tmp_path):
    output = import_posts(tmp_path, post_xml(20, "itself", comments=comment_xml(201, 201)))
    assert wp_comment(201).parent is None
    assert any(
        line.startswith("comment 201 replies to itself")
        for line in reported_about(output, "Post 20")
    )


def test_reply_to_a_comment_of_another_post_lands_top_level_and_is_reported(tmp_path):
    output = import_posts(
        tmp_path,
        post_xml(20, "first", comments=comment_xml(201)),
        post_xml(21, "second", comments=comment_xml(202, 201)),
    )
    assert wp_comment(202).article == wp_article(21)
    assert wp_comment(202).parent is None
    assert any(
        line.startswith("comment 202 replies to 201, which is not a comment")
        for line in reported_about(output, "Post 21")
    )


# -- Finding 12: old links lead only to what readers may see ----------------------


@pytest.fixture
def scheduled(tmp_path) -> Article:
    """Post 30, scheduled on WordPress for 2099; its old link is /future-post/."""
    import_posts(tmp_path, post_xml(30, "future-post", status="future", date="2099-06-01 09:00:00"))
    return wp_article(30)


def test_scheduled_posts_old_link_is_not_found(scheduled, client):
    assert client.get("/future-post/").status_code == 404


def test_scheduled_posts_id_link_is_not_found(scheduled, client):
    assert client.get("/?p=30").status_code == 404


def test_scheduled_posts_old_link_redirects_once_in_one_hop_when_it_goes_live(
    scheduled, client, monkeypatch
):
    later = datetime(2099, 6, 2, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for link in ("/future-post/", "/?p=30"):
        response = client.get(link)
        assert response.status_code == 301
        assert response["Location"] == scheduled.get_absolute_url()
        assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("status", ["draft", "pending"])
def test_unpublished_posts_old_link_redirects_once_published_with_no_new_import(
    tmp_path, client, status
):
    import_posts(tmp_path, post_xml(31, "not-yet", status=status))
    assert client.get("/not-yet/").status_code == 404
    articles_publish(articles=Article.objects.filter(pk=wp_article(31).pk))
    response = client.get("/not-yet/")
    assert response.status_code == 301
    assert response["Location"] == wp_article(31).get_absolute_url()


def test_old_link_of_an_article_taken_down_is_not_found(tmp_path, client):
    import_posts(tmp_path, post_xml(32, "taken-down"))
    assert client.get("/taken-down/").status_code == 301
    articles_unpublish(articles=Article.objects.filter(pk=wp_article(32).pk))
    assert client.get("/taken-down/").status_code == 404
    assert client.get("/?p=32").status_code == 404


def test_old_link_follows_the_article_when_its_slug_and_date_change(tmp_path, client):
    import_posts(tmp_path, post_xml(33, "first-name"))
    article = wp_article(33)
    article.slug = "second-name"
    article.publish_at -= timedelta(days=3)
    article.save()
    response = client.get("/first-name/")
    assert response["Location"] == article.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_attachment_link_of_a_scheduled_post_is_not_a_redirect(tmp_path, client):
    attachment = """
    <item>
        <title>Picture</title>
        <wp:post_id>35</wp:post_id>
        <wp:post_parent>30</wp:post_parent>
        <wp:post_type>attachment</wp:post_type>
        <wp:attachment_url>https://old.example/picture.jpg</wp:attachment_url>
    </item>"""
    import_posts(
        tmp_path,
        post_xml(30, "future-post", status="future", date="2099-06-01 09:00:00"),
        attachment,
    )
    assert client.get("/?attachment_id=35").status_code == 404


def test_second_import_leaves_old_links_as_they_are(tmp_path):
    import_posts(tmp_path, post_xml(34, "again"), post_xml(30, "future-post", status="future"))
    links = list(OldLink.objects.values_list("path", "article_id"))
    output = import_posts(
        tmp_path, post_xml(34, "again"), post_xml(30, "future-post", status="future")
    )
    assert table_row(output, "redirects")[:3] == (0, 0, 2)
    assert list(OldLink.objects.values_list("path", "article_id")) == links


def test_redirects_an_earlier_import_wrote_stop_revealing_scheduled_posts(scheduled, client):
    OldLink.objects.all().delete()  # as an import before this change left it:
    Redirect.objects.create(
        site_id=1, old_path="/future-post/", new_path=scheduled.get_absolute_url()
    )
    migration = importlib.import_module("wordpress.migrations.0002_old_links")
    migration.move_imported_redirects(apps, SimpleNamespace(connection=connection))
    assert client.get("/future-post/").status_code == 404
    assert not Redirect.objects.exists()
