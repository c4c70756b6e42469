from django.urls import path

import articles.urls  # noqa: F401  (registers the permalink path converters)
from comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("comments/post/<int:pk>/", views.CommentPostView.as_view(), name="post"),
    path("comments/feed/", feeds.LatestCommentsFeed(), name="feed"),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/<uslug:slug>/feed/",
        feeds.ArticleCommentsFeed(),
        name="article-feed",
    ),
]
