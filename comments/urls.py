from django.urls import path

import articles.urls  # noqa: F401  (registers the permalink path converters)
from comments import feeds, views
from newsroom.pagecache import cached_view

comment_feed = cached_view("content", "comments")

app_name = "comments"

urlpatterns = [
    path("comments/post/<int:pk>/", views.CommentPostView.as_view(), name="post"),
    path("comments/form-token/", views.form_token, name="form-token"),
    path("comments/feed/", comment_feed(feeds.LatestCommentsFeed()), name="feed"),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/<uslug:slug>/feed/",
        comment_feed(feeds.ArticleCommentsFeed()),
        name="article-feed",
    ),
]
