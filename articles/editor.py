"""The rich-text editor's embed endpoint (``static/js/editor-media.js``).

``GET ?url=<address>``: staff who may write articles get the player for a
provider URL (``articles.embeds.embed_for_url``, the one allowlist) as JSON —
``src``, ``title``, ``provider`` and the ``html`` ``sanitize_html`` keeps; any
other address is a 400 with a ``message`` naming the providers, and the editor
inserts nothing.
"""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from articles.embeds import PROVIDERS, embed_for_url


def _may_write(user) -> bool:
    return (
        user.is_active
        and user.is_staff
        and (user.has_perm("articles.add_article") or user.has_perm("articles.change_article"))
    )


@require_GET
def embed(request):
    if not _may_write(request.user):
        return JsonResponse({"message": "You may not write articles."}, status=403)
    url = request.GET.get("url", "")
    found = embed_for_url(url[:2000])
    if found is None:
        names = ", ".join(provider.name for provider in PROVIDERS)
        return JsonResponse(
            {
                "message": f"That address is not a player this site can embed. Paste a link from {names}."
            },
            status=400,
        )
    return JsonResponse(
        {
            "src": found.src,
            "title": found.provider.title,
            "provider": found.provider.name,
            "html": found.html(),
        }
    )
