from django.urls import path

from images import views

app_name = "images"

urlpatterns = [
    path("upload/", views.upload, name="upload"),
]
