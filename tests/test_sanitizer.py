import pytest

from articles.html import sanitize_html

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<script"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">link</a>', "javascript:"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">link</a>', "data:"),
        ('<p onclick="steal()">text</p>', "onclick"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ("<style>body{display:none}</style><p>x</p>", "<style"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
    ],
)
def test_sanitizer_removes_what_can_run_script(dirty, forbidden):
    assert forbidden not in sanitize_html(dirty).lower()


def test_sanitizer_keeps_ordinary_article_markup():
    html = (
        "<h2>Heading</h2><p>A <strong>bold</strong> and <em>italic</em> "
        '<a href="https://example.com/x">link</a>.</p>'
        "<blockquote><p>Quoted.</p></blockquote><ul><li>one</li></ul>"
        '<figure><img src="https://example.com/a.jpg" alt="A"><figcaption>Cap</figcaption></figure>'
    )
    clean = sanitize_html(html)
    for kept in ("<h2>", "<strong>", "<em>", 'href="https://example.com/x"', "<blockquote>",
                 "<li>", 'alt="A"', "<figcaption>"):  # fmt: skip
        assert kept in clean


def test_article_body_is_sanitised_on_save(article_factory):
    article = article_factory(body='<p onmouseover="x()">Text<script>bad()</script></p>')
    article.refresh_from_db()
    assert article.body == "<p>Text</p>"
