"""The comment form's endpoints: posting (``CommentPostView``), the per-visitor
tokens a cached page cannot carry (``form_token``) and the second chance for a
post that failed the CSRF check (``csrf_failure``, ``settings.CSRF_FAILURE_VIEW``)."""

import json
import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import BadRequest, SuspiciousOperation, ValidationError
from django.http import JsonResponse, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import Resolver404, resolve
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from articles.models import Article
from articles.views import ArticleDetailView, PageDetailView, page_context
from comments import ratelimit
from comments.conf import (
    AUTHOR_COOKIE,
    AUTHOR_COOKIE_SALT,
    AWAITING_SESSION_KEY,
    COMMENTER_KEY_COOKIE,
    COMMENTER_KEY_SALT,
)
from comments.forms import CommentForm
from comments.services import (
    RequestInfo,
    comment_submit,
    comments_open,
    reset_broken_connection,
)
from comments.spam import TIMESTAMP_FIELD
from comments.spam.tokens import (
    CONFIRM,
    is_commenter_key,
    issue_form_token,
    new_commenter_key,
    read_form_token,
    visitor_tag,
)
from newsroom.client_ip import client_ip

logger = logging.getLogger(__name__)

REMEMBER_FOR = 365 * 24 * 3600
AWAITING_KEPT = 20


class CommentPostView(ArticleDetailView):
    """Receives the comment form, for a post or a page. Success redirects to
    it (Post/Redirect/Get); errors show it again with the form as the reader
    filled it."""

    http_method_names = ["post"]

    def get_object(self, queryset=None):
        # Drafts, scheduled and unknown articles and pages take no comments: 404.
        return get_object_or_404(Article.objects.public().with_filing(), pk=self.kwargs["pk"])

    def get_template_names(self):
        if self.object.is_page:
            return [PageDetailView.template_name]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        if self.object.is_page:
            return page_context(self.request, self.object, view=self, **kwargs)
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = article = self.get_object()
        if not comments_open(article):
            return self.show_post(comment_error="Comments are closed on this article.", status=403)

        form = CommentForm(request.POST, article=article)
        if not form.is_valid():
            return self.show_post(comment_form=form, status=400)
        if ratelimit.is_flood(ratelimit.hit(client_ip(request))):
            return self.show_post(
                comment_form=form,
                comment_error="You have posted many comments in a short time. "
                "Please wait a few minutes before posting again.",
                status=429,
            )
        data = form.cleaned_data
        commenter_key = _commenter_key(request)
        try:
            comment = comment_submit(
                article=article,
                author_name=data["author_name"],
                author_email=data["author_email"],
                author_url=data["author_url"],
                body=data["body"],
                parent=data["parent"],
                user=request.user,
                request_info=RequestInfo.from_request(
                    request, extra=form.spam_signals(visitor=visitor_tag(request))
                ),
                commenter_key=commenter_key,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.show_post(comment_form=form, status=400)

        # The comment is stored: from here on the reader gets the success
        # redirect, whatever else fails.
        response = redirect(f"{article.get_absolute_url()}#comment-{comment.pk}")
        _remember_commenter(response, data, commenter_key)
        _remember_awaiting(request, response, comment.pk)
        return response

    def show_post(self, status: int, **context):
        return self.render_to_response(
            self.get_context_data(object=self.object, **context), status=status
        )


def _commenter_key(request) -> str:
    """The commenter key the reader's browser carries, or a new one."""
    key = request.get_signed_cookie(COMMENTER_KEY_COOKIE, default=None, salt=COMMENTER_KEY_SALT)
    return key if is_commenter_key(key) else new_commenter_key()


def _remember_commenter(response, data: dict, commenter_key: str) -> None:
    """Keep the commenter key (always: it is how their next comment proves to
    be theirs) and, if they asked, their name, email and website."""
    cookie = {
        "max_age": REMEMBER_FOR,
        "secure": settings.SESSION_COOKIE_SECURE,
        "httponly": True,
        "samesite": "Lax",
    }
    response.set_signed_cookie(
        COMMENTER_KEY_COOKIE, commenter_key, salt=COMMENTER_KEY_SALT, **cookie
    )
    if data["remember"]:
        remembered = {k: data[k] for k in ("author_name", "author_email", "author_url")}
        response.set_signed_cookie(
            AUTHOR_COOKIE, json.dumps(remembered), salt=AUTHOR_COOKIE_SALT, **cookie
        )
    else:
        response.delete_cookie(AUTHOR_COOKIE, samesite="Lax")


def _remember_awaiting(request, response, comment_pk: int) -> None:
    """The reader's session remembers their comment, so they alone see it
    "awaiting moderation".

    Sessions live in the database, which may have gone away since the comment
    was stored; that costs the reader this note, never an error page for a
    stored comment. So the session is saved here, by SessionMiddleware's own
    code (cookie included), where a failure can be caught and logged, and not
    after the view, where it would be a 503."""
    reset_broken_connection()
    try:
        session = request.session
        awaiting = [pk for pk in session.get(AWAITING_SESSION_KEY, []) if pk != comment_pk]
        session[AWAITING_SESSION_KEY] = (awaiting + [comment_pk])[-AWAITING_KEPT:]
        SessionMiddleware(lambda request: response).process_response(request, response)
    except Exception:
        logger.exception("Comment %s is stored; the reader's session could not note it", comment_pk)
    # Saved, or given up on: nothing left for SessionMiddleware to write.
    request.session.modified = False


@never_cache
@require_GET
def form_token(request):
    """The CSRF token and, for ``?article=<pk>``, the form's time token
    (``comments.spam.tokens``), bound to that article and this visitor.

    Post pages are cached for anonymous readers, so they carry neither; the
    form's script asks for them here when the reader starts to comment.
    """
    answer = {"csrfToken": get_token(request)}  # first: the time token is bound to its secret
    article_id = request.GET.get("article", "")
    if re.fullmatch(r"[0-9]{1,18}", article_id):
        answer["formStarted"] = issue_form_token(
            article_id=int(article_id), visitor=visitor_tag(request)
        )
    return JsonResponse(answer)


def csrf_failure(request, reason=""):
    """A comment posted without a valid token (no JavaScript, or an expired
    page) is shown again with a fresh token, for one more click; nothing is
    stored. Any other request, and a body that cannot be read, gets Django's
    usual 403 page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is None or match.view_name != "comments:post" or request.method != "POST":
        return default_csrf_failure(request, reason)
    if not _posted_from_this_site(request):
        # Another site's form must not become a filled-in one-click form here.
        return default_csrf_failure(request, reason)
    posted = _readable_post(request)
    if posted is None:
        return default_csrf_failure(request, reason)
    view = CommentPostView(request=request, args=(), kwargs=match.kwargs)
    view.object = article = view.get_object()
    form = CommentForm(_with_time_token(request, posted, article.pk), article=article)
    form.is_valid()
    return view.show_post(
        comment_form=form,
        comment_error="For your security, please press “Post Comment” once more.",
        status=403,
    )


def _with_time_token(request, posted: QueryDict, article_id: int) -> QueryDict:
    """The posted form with a time token this visitor can post: theirs if it
    holds (a page that expired), else a *confirmation* token (a reader without
    JavaScript never had one; its speed holds a comment, never condemns it)."""
    get_token(request)  # the page shows a CSRF token: bind the time token to its secret
    visitor = visitor_tag(request)
    token = read_form_token(posted.get(TIMESTAMP_FIELD, ""), visitor=visitor)
    if token is not None and token.article_id == article_id:
        return posted
    posted = posted.copy()
    posted[TIMESTAMP_FIELD] = issue_form_token(article_id=article_id, visitor=visitor, kind=CONFIRM)
    return posted


def _posted_from_this_site(request) -> bool:
    """Whether the browser says the form was sent from a page of this site.

    Browsers send ``Sec-Fetch-Site`` (and ``Origin`` on a POST); old ones send
    neither, and are given the benefit of the doubt. A cross-site POST carries
    no SameSite=Lax cookie, so it always fails the CSRF check: re-showing its
    fields with a fresh token would let another site post in a reader's name.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.get_host()


def _readable_post(request) -> QueryDict | None:
    """The posted form, or ``None`` when the body cannot be read as one.

    Reading it can fail on the client's input alone (a charset other than
    UTF-8, too many fields, a broken multipart body, a dropped connection);
    the CSRF check has already failed, so that is no reason for an error page.
    """
    try:
        return request.POST
    except (BadRequest, SuspiciousOperation, MultiPartParserError, UnreadablePostError):
        return None
