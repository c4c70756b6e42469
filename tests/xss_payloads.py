"""A corpus of cross-site scripting payloads, for tests that render untrusted text.

Every payload that manages to run calls ``alert(...)``, writes
``console.error("XSS")`` or sets ``window.__xss = 1``, so a browser test can
tell. They cover: script tags, event handlers, ``javascript:``/``data:``/
``vbscript:`` URLs (plain, mixed case, with entities, tabs and control
characters), SVG and MathML, ``<iframe srcdoc>``, ``<meta http-equiv=refresh>``,
entity tricks, broken and unclosed markup, attribute and element breakouts
(``"><script>``, ``</script>``, ``</title>``, ``</textarea>``), template
injection, and CSS (``expression()``, ``url(javascript:)``).

``PAYLOADS`` is the list; ``URL_PAYLOADS`` are payloads that are (or hide in)
addresses, for a "website" field.
"""

# fmt: off
SCRIPT_TAGS = [
    '<script>alert("XSS")</script>',
    "<script>window.__xss = 1</script>",
    '<SCRIPT>console.error("XSS")</SCRIPT>',
    '<script src="data:text/javascript,alert(2)"></script>',
    "<script\x0c>alert(3)</script>",
    "<scr<script>ipt>alert(4)</scr</script>ipt>",
    "<<script>alert(5);//<</script>",
]

EVENT_HANDLERS = [
    "<img src=x onerror=alert(10)>",
    "<img src=x onerror=\"console.error('XSS')\">",
    "<IMG SRC=x OnErRoR=alert(11)>",
    '<img src="x" onerror="&#97;&#108;&#101;&#114;&#116;&#40;12&#41;">',
    "<img src=x:alert(alt) onerror=eval(src) alt=13>",
    "<body onload=alert(14)>",
    "<input autofocus onfocus=alert(15)>",
    "<select autofocus onfocus=window.__xss=1></select>",
    "<details open ontoggle=alert(16)>",
    '<div onmouseover="alert(17)">hover me</div>',
    "<x onclick=alert(18)>click me</x>",
    '<a href="https://example.com/" onclick="alert(19)">an ordinary link</a>',
    "<video><source onerror=alert(20)></video>",
    "<audio src=x onerror=alert(21)>",
    "<marquee onstart=alert(22)>news</marquee>",
    "<style onload=alert(23)></style>",
    "<img/src/onerror=alert(24)>",
]

DANGEROUS_URLS = [
    '<a href="javascript:alert(30)">js link</a>',
    '<a href="JaVaScRiPt:alert(31)">mixed case</a>',
    '<a href="java\tscript:alert(32)">tab</a>',
    '<a href="java&#x09;script:alert(33)">entity tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(34)">entities</a>',
    '<a href=" \x01javascript:alert(35)">control character</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgzNik8L3NjcmlwdD4=">data url</a>',
    '<a href="vbscript:alert(37)">vbscript</a>',
    '<img src="javascript:alert(38)">',
    '<iframe src="javascript:alert(39)"></iframe>',
    '<object data="javascript:alert(40)"></object>',
    '<embed src="javascript:alert(41)">',
    '<form action="javascript:alert(42)"><button>go</button></form>',
    '<button formaction="javascript:alert(43)">go</button>',
    '<base href="javascript:alert(44)//">',
    '<link rel="stylesheet" href="javascript:alert(45)">',
    '<table background="javascript:alert(46)"><tr><td>cell</td></tr></table>',
]

SVG_AND_MATHML = [
    "<svg onload=alert(50)>",
    "<svg><script>alert(51)</script></svg>",
    "<svg><animate onbegin=alert(52) attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(53)"><text x="20" y="20">svg link</text></a></svg>',
    "<svg><foreignObject><img src=x onerror=alert(54)></foreignObject></svg>",
    '<math href="javascript:alert(55)">maths</math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(56)>",
    "<math><mi xlink:href=\"javascript:alert(57)\">x</mi></math>",
]

FRAMES_AND_META = [
    '<iframe srcdoc="<script>parent.alert(60)</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=parent.alert(61)&gt;"></iframe>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(62)">',
    '<meta http-equiv="refresh" content="0;url=data:text/html,<script>alert(63)</script>">',
]

ENTITY_TRICKS = [
    "&lt;script&gt;alert(70)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(71)&#62;",
    "&amp;lt;script&amp;gt;alert(72)&amp;lt;/script&amp;gt;",
    "\\u003cimg src=x onerror=alert(73)\\u003e",
    "%3Cscript%3Ealert(74)%3C%2Fscript%3E",
    "\uff1cscript\uff1ealert(75)\uff1c/script\uff1e",
]

BROKEN_MARKUP = [
    "<img src=x onerror=alert(80)",
    '<!--<img src="--><img src=x onerror=alert(81)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(82)>">',
    "<template><img src=x onerror=alert(83)></template><img src=x onerror=alert(84)>",
    "<p <img src=x onerror=alert(85)>>",
    "<div><b><i>unclosed <script>alert(86)",
]

BREAKOUTS = [
    '"><script>alert(90)</script>',
    "'><img src=x onerror=alert(91)>",
    '" onmouseover="alert(92)" x="',
    "' autofocus onfocus='alert(93)' x='",
    '" autofocus onfocus="alert(94)',
    "</script><script>alert(95)</script>",
    '</script><img src=x onerror=alert(96)>"}',
    "</title><script>alert(97)</script>",
    "</textarea><script>alert(98)</script>",
    "</style><script>alert(99)</script>",
    '"-alert(100)-"',
    "\\\"</script><script>alert(101)//",
]

TEMPLATE_INJECTION = [
    "{{7*7}} {{ request.user.password }}",
    "{% debug %}{% load static %}",
    "{{ '<script>alert(110)</script>'|safe }}",
    "${alert(111)} #{alert(112)}",
    "{{constructor.constructor('alert(113)')()}}",
]

CSS = [
    '<div style="background:url(javascript:alert(120))">css url</div>',
    '<div style="width: expression(alert(121))">css expression</div>',
    "<style>@import 'javascript:alert(122)';</style>",
    '<p style="x:expr/**/ession(alert(123))">css comment</p>',
]
# fmt: on

PAYLOADS: list[str] = [
    *SCRIPT_TAGS,
    *EVENT_HANDLERS,
    *DANGEROUS_URLS,
    *SVG_AND_MATHML,
    *FRAMES_AND_META,
    *ENTITY_TRICKS,
    *BROKEN_MARKUP,
    *BREAKOUTS,
    *TEMPLATE_INJECTION,
    *CSS,
]

# Addresses, and payloads hidden in otherwise valid http(s) addresses.
URL_PAYLOADS: list[str] = [
    "javascript:alert(130)",
    "JAVASCRIPT:alert(131)",
    " javascript:alert(132)",
    "java\tscript:alert(133)",
    "javascript&#58;alert(134)",
    "data:text/html,<script>alert(135)</script>",
    "vbscript:alert(136)",
    "//evil.example/%0Aalert(137)",
    'https://example.com/"><script>alert(138)</script>',
    "https://example.com/'onmouseover='alert(139)",
    'https://example.com/?q="autofocus/onfocus="alert(140)',
    "https://example.com/#</a><img/src=x/onerror=alert(141)>",
]

assert len(set(PAYLOADS)) == len(PAYLOADS) >= 40
