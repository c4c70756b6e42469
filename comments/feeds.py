"""Comment feeds: the site's latest approved comments, and one article's.

A comment is plain text: its description is the HTML the post page shows for
it (``comment_html``: escaped, paragraphs, links), and ``SiteFeed``'s
generators escape the text fields and sanitise that HTML (``articles.feeds``).
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import Truncator

from articles.feeds import SiteFeed
from articles.models import Article
from comments.html import comment_html
from comments.models import Comment

FEED_SIZE = 30


class LatestCommentsFeed(SiteFeed):
    def title(self, article=None):
        if article is not None:
            return f"Comments on “{article.title}” — {self.site.name}"
        return f"Comments — {self.site.name}"

    def link(self, article=None):
        return article.get_absolute_url() if article else reverse("articles:home")

    def description(self, article=None):
        return self.title(article)

    def items(self, article=None):
        # Comments on pages too, as WordPress's comments feed has them.
        comments = Comment.objects.approved().filter(article__in=Article.objects.public())
        if article is not None:
            comments = comments.filter(article=article)
        return comments.select_related("article").order_by("-created_at", "-pk")[:FEED_SIZE]

    def item_title(self, comment):
        return f"{comment.author_name} on “{comment.article.title}”"

    def item_description(self, comment):
        return Truncator(comment_html(comment.body)).words(100, html=True)

    def item_link(self, comment):
        return f"{comment.article.get_absolute_url()}#comment-{comment.pk}"

    def item_pubdate(self, comment):
        return comment.created_at

    def item_author_name(self, comment):
        return comment.author_name


class ArticleCommentsFeed(LatestCommentsFeed):
    def get_object(self, request, year, month, day, slug):
        return get_object_or_404(Article.objects.published(), slug=slug)
