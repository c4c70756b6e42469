"""What a WordPress post's body holds beyond text: embedded media, shortcodes.

Every provider on the embed allowlist (``articles.embeds``), in every form an
old post may hold it — pasted iframe, block-editor embed block, shortcode, a
URL alone on its line — becomes the provider's canonical, privacy-friendly
player, which the sanitiser keeps and the Content-Security-Policy lets load.
Anything else is reported per post with counts, never silently dropped.
"""

import re

import pytest
from django.conf import settings

from articles.embeds import FRAME_SOURCES, PROVIDERS, embed_for_url
from articles.html import sanitize_html
from tests.factories import ArticleFactory
from tests.imported import reported_about, run_import, wp_article
from wordpress.content import convert_post

pytestmark = pytest.mark.django_db

YOUTUBE = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
VIMEO = "https://player.vimeo.com/video/76979871?dnt=1"
DAILYMOTION = "https://www.dailymotion.com/embed/video/x7tgad0"
SOUNDCLOUD = (
    "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fflickermood"
)
SOUNDCLOUD_API = (
    "https://w.soundcloud.com/player/?url=https%3A%2F%2Fapi.soundcloud.com%2Ftracks%2F293"
)
SPOTIFY = "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC"
X_POST = "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=1466471211456761858"
INSTAGRAM = "https://www.instagram.com/p/CfXn5nGJ9xA/embed/"

# (what a writer pasted or shared, the player it is)
PROVIDER_URLS = [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", YOUTUBE),
    ("https://youtu.be/dQw4w9WgXcQ", YOUTUBE),
    ("https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0&feature=oembed", YOUTUBE),
    ("http://www.youtube.com/v/dQw4w9WgXcQ&hl=en_US&fs=1", YOUTUBE),  # the Flash player
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", YOUTUBE),
    ("https://youtu.be/dQw4w9WgXcQ?t=1m30s", YOUTUBE + "?start=90"),
    ("https://vimeo.com/76979871", VIMEO),
    ("https://vimeo.com/channels/staffpicks/76979871", VIMEO),
    ("https://player.vimeo.com/video/76979871?title=0&byline=0", VIMEO),
    ("https://www.dailymotion.com/video/x7tgad0_some-title_news", DAILYMOTION),
    ("https://dai.ly/x7tgad0", DAILYMOTION),
    ("https://soundcloud.com/forss/flickermood", SOUNDCLOUD),
    (
        "https://w.soundcloud.com/player/?url=https%3A//api.soundcloud.com/tracks/293&auto_play=false",
        SOUNDCLOUD_API,
    ),
    ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", SPOTIFY),
    ("https://open.spotify.com/intl-fr/track/4uLU6hMCjMI75M1A2tKUQC?si=abc", SPOTIFY),
    ("spotify:track:4uLU6hMCjMI75M1A2tKUQC", SPOTIFY),
    ("https://twitter.com/nasa/status/1466471211456761858", X_POST),
    ("https://x.com/nasa/status/1466471211456761858?s=20", X_POST),
    ("https://www.instagram.com/p/CfXn5nGJ9xA/", INSTAGRAM),
    ("https://www.instagram.com/reel/CfXn5nGJ9xA/?utm_source=ig_web", INSTAGRAM),
]
# One shareable URL per provider, for the forms below.
SHARED = {
    "youtube": ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", YOUTUBE),
    "vimeo": ("https://vimeo.com/76979871", VIMEO),
    "dailymotion": ("https://www.dailymotion.com/video/x7tgad0", DAILYMOTION),
    "soundcloud": ("https://soundcloud.com/forss/flickermood", SOUNDCLOUD),
    "spotify": ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", SPOTIFY),
    "twitter": ("https://twitter.com/nasa/status/1466471211456761858", X_POST),
    "instagram": ("https://www.instagram.com/p/CfXn5nGJ9xA/", INSTAGRAM),
}


def players(html: str) -> list[str]:
    return re.findall(r'<iframe src="([^"]*)"', html.replace("&amp;", "&"))


def block(slug: str, url: str, caption: str = "") -> str:
    caption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (
        f'<!-- wp:embed {{"url":"{url}","type":"video","providerNameSlug":"{slug}"}} -->\n'
        f'<figure class="wp-block-embed is-type-video is-provider-{slug} wp-block-embed-{slug}">'
        f'<div class="wp-block-embed__wrapper">\n{url}\n</div>{caption}</figure>\n'
        "<!-- /wp:embed -->"
    )


# -- The provider rule ----------------------------------------------------------------


@pytest.mark.parametrize(("url", "player"), PROVIDER_URLS)
def test_each_providers_addresses_map_to_its_canonical_player(url, player):
    embed = embed_for_url(url)
    assert embed is not None
    assert embed.src == player
    assert embed_for_url(player).src == player  # canonical is a fixed point


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ",
        "javascript://www.youtube.com/%0aalert(1)",
        "https://vimeo.com/about",
        "ftp://vimeo.com/76979871",
        "",
    ],
)
def test_other_addresses_are_no_embed(url):
    assert embed_for_url(url) is None


def test_the_csp_frame_src_names_exactly_the_providers():
    assert sorted(settings.SECURE_CSP["frame-src"]) == sorted(FRAME_SOURCES)
    assert len(FRAME_SOURCES) == len(PROVIDERS) >= 7


# -- Every form an imported body holds ------------------------------------------------


@pytest.mark.parametrize("slug", SHARED)
def test_a_pasted_iframe_becomes_the_canonical_player(slug):
    url, player = SHARED[slug]
    body = convert_post(
        f'<iframe width="560" height="315" src="{url}" frameborder="0" '
        'allow="autoplay" allowfullscreen title="The clip"></iframe>'
    ).body
    assert players(body) == [player]
    assert 'title="The clip"' in body
    assert 'loading="lazy"' in body
    assert "allowfullscreen" not in body
    assert "width" not in body


@pytest.mark.parametrize("slug", SHARED)
def test_a_block_editor_embed_becomes_the_player_with_its_caption(slug):
    url, player = SHARED[slug]
    converted = convert_post(block(slug, url, caption="What it shows"))
    assert players(converted.body) == [player]
    assert "<figcaption>What it shows</figcaption>" in converted.body
    assert "wp-block-embed" not in converted.body
    assert converted.notes == []


@pytest.mark.parametrize("slug", SHARED)
@pytest.mark.parametrize("form", ["[embed]{url}[/embed]", "[embed width=640]{url}[/embed]"])
def test_the_embed_shortcode_becomes_the_player(slug, form):
    url, player = SHARED[slug]
    assert players(convert_post("Look:\n\n" + form.format(url=url)).body) == [player]


@pytest.mark.parametrize("slug", SHARED)
def test_a_provider_url_alone_on_its_line_becomes_the_player(slug):
    url, player = SHARED[slug]
    body = convert_post(f"Before.\n\n{url}\n\nAfter, with {url} inside a sentence.").body
    assert players(body) == [player]
    assert f"After, with {url} inside" in body  # WordPress only embeds lone URLs


def test_a_lone_url_in_a_block_paragraph_becomes_the_player():
    url, player = SHARED["vimeo"]
    body = convert_post(f"<!-- wp:paragraph -->\n<p>{url}</p>\n<!-- /wp:paragraph -->").body
    assert players(body) == [player]
    assert "<p>" not in body


@pytest.mark.parametrize(
    ("shortcode", "player"),
    [
        ("[youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ]", YOUTUBE),
        ("[youtube=http://www.youtube.com/watch?v=dQw4w9WgXcQ&w=640&h=385]", YOUTUBE),
        ("[youtube dQw4w9WgXcQ]", YOUTUBE),
        ("[vimeo 76979871]", VIMEO),
        ("[vimeo https://vimeo.com/76979871 w=500]", VIMEO),
        ("[dailymotion id=x7tgad0]", DAILYMOTION),
        (
            '[soundcloud url="https://api.soundcloud.com/tracks/293" params="auto_play=false"]',
            SOUNDCLOUD_API,
        ),
        ('[spotify id="spotify:track:4uLU6hMCjMI75M1A2tKUQC"]', SPOTIFY),
        ("[tweet https://twitter.com/nasa/status/1466471211456761858]", X_POST),
        ("[instagram url=https://www.instagram.com/p/CfXn5nGJ9xA/]", INSTAGRAM),
        ('[video src="https://youtu.be/dQw4w9WgXcQ"]', YOUTUBE),
        ('[audio src="https://soundcloud.com/forss/flickermood"]', SOUNDCLOUD),
    ],
)
def test_provider_shortcodes_become_the_player(shortcode, player):
    converted = convert_post(shortcode)
    assert players(converted.body) == [player]
    assert converted.notes == []


def test_flash_with_a_providers_movie_becomes_the_player():
    body = convert_post(
        '<object width="425" height="344"><param name="movie" '
        'value="http://www.youtube.com/v/dQw4w9WgXcQ&hl=en"></param>'
        '<embed src="http://www.youtube.com/v/dQw4w9WgXcQ&hl=en" '
        'type="application/x-shockwave-flash"></embed></object>'
    ).body
    assert players(body) == [YOUTUBE]
    assert "<object" not in body
    assert "<embed" not in body


def test_media_file_shortcodes_become_audio_and_video():
    body = convert_post(
        '[audio mp3="https://old.example/wp-content/uploads/2020/01/talk.mp3"][/audio]\n\n'
        '[video width="640" mp4="https://old.example/wp-content/uploads/2020/01/clip.mp4"][/video]'
    ).body
    assert (
        '<audio controls preload="metadata" src="https://old.example/wp-content/uploads/2020/01/talk.mp3">'
        in body
    )
    assert (
        '<video controls preload="metadata" src="https://old.example/wp-content/uploads/2020/01/clip.mp4">'
        in body
    )


def test_local_audio_and_video_elements_are_kept():
    html = (
        '<figure class="wp-block-video"><video controls src="/media/clip.mp4"></video></figure>'
        '<audio controls><source src="/media/talk.mp3" type="audio/mpeg"></audio>'
    )
    clean = sanitize_html(convert_post(html).body)
    assert '<video controls="" src="/media/clip.mp4"></video>' in clean
    assert '<audio controls=""><source src="/media/talk.mp3" type="audio/mpeg"></audio>' in clean


# -- What is not an allowed embed: reported with counts, kept as a link ---------------


def test_unknown_iframes_and_flash_are_reported_with_counts_and_kept_as_links():
    converted = convert_post(
        '<iframe src="https://maps.example.com/embed?pb=1"></iframe>\n\n'
        '<iframe src="https://maps.example.com/embed?pb=2"></iframe>\n\n'
        '<iframe src="https://widgets.example.org/w"></iframe>\n\n'
        '<object data="http://flash.example/player.swf"></object>\n\n'
        '<embed src="http://flash.example/other.swf" type="application/x-shockwave-flash">\n\n'
        f"{block('tiktok', 'https://www.tiktok.com/@x/video/1')}"
    )
    assert converted.notes == [
        "3 iframe(s) from no allowed embed provider, kept as a link: "
        "maps.example.com ×2, widgets.example.org ×1",
        "2 Flash object(s) removed (Flash no longer plays), kept as a link: flash.example ×2",
        "1 embed block(s) of no allowed provider, kept as a link: www.tiktok.com ×1",
    ]
    body = converted.body
    assert '<a href="https://maps.example.com/embed?pb=1">' in body
    assert '<a href="http://flash.example/other.swf">' in body
    assert "<iframe" not in body
    assert "<object" not in body
    assert "<embed" not in body


def test_a_media_shortcode_no_provider_plays_is_reported_and_kept_as_a_link():
    converted = convert_post("[embed]https://www.tiktok.com/@x/video/1[/embed]")
    assert converted.body == (
        '<p><a href="https://www.tiktok.com/@x/video/1">https://www.tiktok.com/@x/video/1</a></p>'
    )
    assert converted.notes == ["1 media shortcode(s) no provider plays, kept as a link: [embed] ×1"]


def test_a_lone_url_of_another_wordpress_provider_and_an_idless_shortcode_are_reported():
    converted = convert_post(
        "https://wordpress.tv/2009/03/16/anatomy/\n\nhttps://example.com/page\n\n[wpvideo]"
    )
    assert converted.notes == [
        "1 media shortcode(s) with no address to play, removed: [wpvideo] ×1",
        "1 URL(s) alone on a line that WordPress showed as a player of a provider not "
        "allowed here, kept as text: wordpress.tv ×1",
    ]
    assert "<p>https://wordpress.tv/2009/03/16/anatomy/</p>" in converted.body


def test_the_import_reports_each_posts_losses(tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(
        EXPORT.format(
            body=(
                "Watch:\n\nhttps://youtu.be/dQw4w9WgXcQ\n\n"
                '<iframe src="https://maps.example.com/x"></iframe>\n\n[poll id="3"] and [sic]'
            )
        ),
        encoding="utf-8",
    )
    out = run_import(export)
    losses = reported_about(out, "Embeds")
    assert losses[0].startswith("1 iframe(s) from no allowed embed provider")
    assert losses[1] == "1 unknown shortcode(s) kept as text: [poll] ×1"
    article = wp_article(5)
    assert players(article.body) == [YOUTUBE]
    assert '[poll id="3"] and [sic]' in article.body
    assert reported_about(run_import(export), "Embeds") == losses  # re-run: reported again


# -- Shortcodes ----------------------------------------------------------------------


def test_shortcodes_inside_code_and_pre_are_kept_literally():
    content = (
        "<p>Write <code>[php]echo 1;[/php]</code> or <code>[gallery]</code>.</p>\n"
        "<pre>[caption]x[/caption]\n[embed]https://youtu.be/dQw4w9WgXcQ[/embed]\n"
        "https://youtu.be/dQw4w9WgXcQ</pre>"
    )
    converted = convert_post(content)
    assert "<code>[php]echo 1;[/php]</code>" in converted.body
    assert "<code>[gallery]</code>" in converted.body
    assert "[caption]x[/caption]\n[embed]https://youtu.be/dQw4w9WgXcQ[/embed]\n" in converted.body
    assert "<iframe" not in converted.body
    assert converted.notes == []


def test_unknown_shortcodes_stay_as_text_and_are_reported_per_name():
    converted = convert_post(
        '[my_plugin]\n\n[poll id="3"] [poll id="4"] [note]Kept[/note] [related /]'
        " and prose [sic] [laughs]"
    )
    assert converted.body == (
        '<p>[my_plugin]</p>\n<p>[poll id="3"] [poll id="4"] [note]Kept[/note] [related /]'
        " and prose [sic] [laughs]</p>"
    )
    assert converted.notes == [
        "5 unknown shortcode(s) kept as text: [my_plugin] ×1, [note] ×1, [poll] ×2, [related] ×1"
    ]


def test_known_shortcodes_inside_an_unknown_one_are_still_expanded():
    body = convert_post("[box_x][embed]https://youtu.be/dQw4w9WgXcQ[/embed][/box_x]").body
    assert body.startswith("<p>[box_x]</p>")
    assert players(body) == [YOUTUBE]


# -- Stored, shown, fed ----------------------------------------------------------------


def test_the_sanitiser_keeps_the_converted_players():
    for slug, (url, player) in SHARED.items():
        assert players(sanitize_html(convert_post(url).body)) == [player], slug


def test_a_post_page_shows_the_player_and_its_csp_allows_exactly_the_providers(client):
    article = ArticleFactory(body=convert_post(SHARED["youtube"][0]).body)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<iframe src="{YOUTUBE}" title="YouTube video" loading="lazy"></iframe>' in html
    directives = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if d.strip()
    )
    assert sorted(directives["frame-src"].split()) == sorted(FRAME_SOURCES)


@pytest.mark.parametrize("feed", ["/feed/", "/feed/atom/"])
def test_a_player_in_a_body_is_no_live_iframe_in_the_feeds(client, feed):
    ArticleFactory(body="<p>Intro.</p>" + convert_post(SHARED["vimeo"][0]).body)
    response = client.get(feed)
    assert response.status_code == 200
    assert b"<iframe" not in response.content
    assert b"&lt;iframe" not in response.content


EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Old</title>
	<link>https://old.example</link>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://old.example</wp:base_site_url>
	<wp:base_blog_url>https://old.example</wp:base_blog_url>
	<wp:author><wp:author_id>1</wp:author_id><wp:author_login>ed</wp:author_login><wp:author_email>ed@old.example</wp:author_email><wp:author_display_name><![CDATA[Ed]]></wp:author_display_name></wp:author>
	<item>
		<title>Embeds</title>
		<link>https://old.example/2024/05/01/embeds/</link>
		<dc:creator><![CDATA[ed]]></dc:creator>
		<content:encoded><![CDATA[{body}]]></content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>5</wp:post_id>
		<wp:post_date>2024-05-01 10:00:00</wp:post_date>
		<wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>
		<wp:comment_status>open</wp:comment_status>
		<wp:post_name>embeds</wp:post_name>
		<wp:status>publish</wp:status>
		<wp:post_type>post</wp:post_type>
		<wp:post_password></wp:post_password>
		<wp:is_sticky>0</wp:is_sticky>
	</item>
</channel>
</rss>
"""


def test_a_byline_source_line_credits_the_source_and_keeps_the_writer():
    converted = convert_post(
        "By Christina Maas | Reclaim The Net | January 5, 2023\n\nGermany’s Minister said so."
    )
    assert (converted.credit.name, converted.credit.author) == ("Reclaim The Net", "Christina Maas")
    assert converted.body == "<p>By Christina Maas</p>\n<p>Germany’s Minister said so.</p>"
