"""WSGI entry point: ``gunicorn newsroom.wsgi``.

Django's own handler, with requests whose ``Content-Type`` header cannot crash
their making (``newsroom.request_guard``).
"""

import os

import django

from newsroom.request_guard import NewsroomWSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

django.setup(set_prefix=False)
application = NewsroomWSGIHandler()
