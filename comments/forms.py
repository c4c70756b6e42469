"""The reader's comment form (``CommentPostView`` and the comments template tag).

The time token (``form_started``) is never rendered into a new form: post
pages are cached for everyone, so ``static/js/comments.js`` fills it in from
``comments.views.form_token`` when the reader starts writing."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from articles.html import strip_control_characters
from comments.models import Comment
from comments.services import check_reply
from comments.spam import HONEYPOT_FIELD, TIMESTAMP_FIELD, VISITOR_FIELD
from newsroom.links import SafeURLFormField


class CommentForm(forms.Form):
    """The reader's comment form under a post."""

    author_name = forms.CharField(label="Name", max_length=100)
    author_email = forms.EmailField(label="Email", max_length=254, help_text="Never published.")
    # The one URL rule (newsroom.links): http and https only.
    author_url = SafeURLFormField(
        label="Website", max_length=200, required=False, assume_scheme="https"
    )
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 8}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # Spam traps (comments.spam): a field people never see, and the time token
    # (comments.spam.tokens) saying when the reader began writing.
    honeypot = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    form_started = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    remember = forms.BooleanField(
        label="Save my name, email and website in this browser for the next time I comment.",
        required=False,
    )

    def __init__(self, *args, article, **kwargs):
        self.article = article
        super().__init__(*args, **kwargs)
        limit = settings.COMMENTS_MAX_LENGTH
        self.fields["body"].validators.append(MaxLengthValidator(limit))
        self.fields["body"].widget.attrs["maxlength"] = limit
        for name, autocomplete in (
            ("author_name", "name"),
            ("author_email", "email"),
            ("author_url", "url"),
        ):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete

    def clean(self):
        cleaned = super().clean()
        # Django decodes bytes that are not UTF-8 as U+FFFD; refuse rather than store mojibake.
        if any("\ufffd" in str(value) for value in self.data.values()):
            raise ValidationError(
                "Your browser sent characters that could not be read (not UTF-8). "
                "Please check the text and post again."
            )
        return cleaned

    def clean_author_name(self):
        name = " ".join(strip_control_characters(self.cleaned_data["author_name"]).split())
        if not name:
            raise ValidationError("Please give your name.")
        return name

    def clean_body(self):
        body = strip_control_characters(self.cleaned_data["body"]).replace("\r\n", "\n").strip()
        if not body:
            raise ValidationError("Please write a comment.")
        return body

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = Comment.objects.filter(pk=parent_id, article=self.article).first()
        if parent is None:
            raise ValidationError("The comment you are replying to is not on this article.")
        check_reply(article=self.article, parent=parent)
        return parent

    def add_prefix(self, field_name):
        # The honeypot's name looks like a field a bot would fill.
        return HONEYPOT_FIELD if field_name == "honeypot" else super().add_prefix(field_name)

    def spam_signals(self, *, visitor: str) -> dict[str, str]:
        """The form's extra fields and the ``visitor`` who posted it
        (``comments.spam.tokens.visitor_tag``), for the spam checks
        (``RequestInfo.extra``)."""
        return {
            HONEYPOT_FIELD: self.cleaned_data.get("honeypot", ""),
            TIMESTAMP_FIELD: self.cleaned_data.get("form_started", ""),
            VISITOR_FIELD: visitor,
        }
