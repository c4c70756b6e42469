from django.urls import path, register_converter

from articles import converters, feeds, views
from newsroom.pagecache import published_content as published

register_converter(converters.FourDigitYear, "yyyy")
register_converter(converters.TwoDigits, "mm")
register_converter(converters.TwoDigits, "dd")
register_converter(converters.UnicodeSlug, "uslug")
register_converter(converters.Username, "username")
register_converter(converters.PagePath, "pagepath")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("feed/", published(feeds.LatestArticlesFeed()), name="feed"),
    path("feed/atom/", published(feeds.LatestArticlesAtomFeed()), name="feed-atom"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("category/<uslug:slug>/", views.CategoryView.as_view(), name="category"),
    path("category/<uslug:slug>/feed/", published(feeds.CategoryFeed()), name="category-feed"),
    path("tag/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("tag/<uslug:slug>/feed/", published(feeds.TagFeed()), name="tag-feed"),
    path("source/<uslug:slug>/", views.SourceView.as_view(), name="source"),
    path("source/<uslug:slug>/feed/", published(feeds.SourceFeed()), name="source-feed"),
    path("author/<username:username>/", views.AuthorView.as_view(), name="author"),
    path("author/<username:username>/feed/", published(feeds.AuthorFeed()), name="author-feed"),
    path("<yyyy:year>/", views.YearView.as_view(), name="year"),
    path("<yyyy:year>/<mm:month>/", views.MonthView.as_view(), name="month"),
    path("<yyyy:year>/<mm:month>/<dd:day>/", views.DayView.as_view(), name="day"),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/<uslug:slug>/",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
]
