"""The editor's endpoints (under the admin's address; see ``articles.editor``)."""

from django.urls import path

from articles import editor

app_name = "articles_editor"

urlpatterns = [
    path("embed/", editor.embed, name="embed"),
]
