"""wire.extraction: what an article page says, read without fetching anything.

The pages in tests/data/articles are written for these tests. Real pages —
Scrapinghub's article extraction benchmark, 181 news pages with their
ground-truth text — are checked too when a copy is at
``../shared/data/article-extraction-benchmark`` (or NEWSROOM_EXTRACTION_BENCHMARK).
"""

import gzip
import json
import os
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from articles.html import html_to_text
from wire.extraction import ExtractionFailed, extract_article

PAGES = Path(__file__).parent / "data" / "articles"
URL = "https://harbour.example/2024/08/01/cranes"
BENCHMARK = Path(
    os.environ.get(
        "NEWSROOM_EXTRACTION_BENCHMARK",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "article-extraction-benchmark",
    )
)
PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of a story long enough to be an article, with words.</p>" for n in range(6)
)


def page(name: str) -> str:
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


def test_json_ld_in_a_graph_gives_headline_authors_date_language_and_lead_image():
    article = extract_article(page("newsarticle_jsonld"), url=URL)

    assert article.title == "Harbour cranes idle as dock workers strike over automation"
    assert article.author == "Mara Quinlan, Tomasz Wierzbicki"
    assert article.published_on == date(2024, 8, 1)
    assert article.language == "en-GB"
    assert article.site_name == "The Harbour Times"
    assert article.lead_image_url == "https://harbour.example/images/lead/cranes.png"


def test_open_graph_fills_in_when_the_page_has_no_json_ld():
    article = extract_article(page("opengraph_only"), url=URL)

    assert article.title == "New reservoir fills a year early after wet spring"
    assert article.site_name == "Valley Courier"
    assert article.published_on == date(2024, 5, 14)
    assert article.lead_image_alt == "The full reservoir seen from the dam wall"
    assert article.author == "Dev Raman"


def test_the_headline_is_not_repeated_at_the_top_of_the_body():
    article = extract_article(page("newsarticle_jsonld"), url=URL)

    assert not html_to_text(article.body_html).startswith("Harbour cranes idle")


def test_body_images_are_listed_with_absolute_addresses_and_alt_text():
    article = extract_article(page("newsarticle_jsonld"), url=URL)

    assert [(i.src, i.alt) for i in article.images] == [
        ("https://harbour.example/images/body/pickets.png", "Pickets with banners at the main gate")
    ]


def test_the_body_is_sanitised_by_the_one_sanitiser():
    html = f"<html><body><article>{PARAGRAPHS}<p onclick='steal()'>Click <a href='javascript:x()'>here</a></p><script>steal()</script></article></body></html>"

    body = extract_article(html, url=URL).body_html

    assert "onclick" not in body
    assert "javascript:" not in body
    assert "steal()" not in body


def test_a_page_marking_text_for_subscribers_reports_a_paywall():
    article = extract_article(page("paywall"), url=URL)

    assert article.paywalled is True
    assert "Subscribe" not in article.body_html


def test_the_pages_language_is_read_from_html_lang():
    assert extract_article(page("french"), url=URL).language == "fr"


def test_a_page_without_article_text_raises_a_readable_error():
    with pytest.raises(ExtractionFailed, match="No article text was found"):
        extract_article("<html><body><nav>Home | News</nav></body></html>", url=URL)


def test_broken_json_ld_is_ignored_and_the_rest_of_the_page_is_read():
    html = f'<html lang="en"><head><script type="application/ld+json">{{"@type": </script><meta property="og:title" content="Still read"></head><body><article>{PARAGRAPHS}</article></body></html>'

    assert extract_article(html, url=URL).title == "Still read"


def test_an_empty_document_raises_a_readable_error():
    with pytest.raises(ExtractionFailed):
        extract_article("", url=URL)


# -- Real pages -------------------------------------------------------------------


def _tokens(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text.lower()))


@pytest.mark.skipif(
    not (BENCHMARK / "ground-truth.json").is_file(),
    reason=f"the article extraction benchmark is not at {BENCHMARK}",
)
def test_real_news_pages_give_back_most_of_their_story_and_little_else():
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    recalls, precisions = [], []
    for page_id in sorted(truth)[:30]:
        html = gzip.decompress((BENCHMARK / "html" / f"{page_id}.html.gz").read_bytes())
        article = extract_article(html.decode("utf-8", "replace"), url=truth[page_id]["url"])
        got, want = _tokens(html_to_text(article.body_html)), _tokens(truth[page_id]["articleBody"])
        common = sum((got & want).values())
        recalls.append(common / sum(want.values()))
        precisions.append(common / max(1, sum(got.values())))

    assert sum(recalls) / len(recalls) > 0.9
    assert sum(precisions) / len(precisions) > 0.85


def test_a_story_written_without_spaces_between_words_is_an_article():
    sentence = (
        "東京の港で荷役作業員が自動化計画に反対してストライキを行い、すべてのクレーンが止まった。"
    )
    html = f'<html lang="ja"><head><meta property="og:title" content="港でスト"></head><body><article><p>{sentence}</p><p>{sentence}</p><p>{sentence}</p><p>{sentence}</p></article></body></html>'

    article = extract_article(html, url=URL)

    assert article.language == "ja"
    assert "すべてのクレーンが止まった" in article.body_html
