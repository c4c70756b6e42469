"""The rich-text editor's upload endpoint (``static/js/editor-media.js``).

``POST`` a ``file`` with its ``alt`` text (and a ``caption``) as multipart form
data, with the admin's CSRF token; staff who may add library images get the
Image as JSON (``src``, ``alt``, ``width``, ``height`` …), the same file again
gets the Image it already is. A file that is not an image, too big, or without
alt text is a 400 with a ``message`` to show the editor.
"""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from images.services import image_create


def _may_add_images(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("images.add_image")


def _forbidden(view):
    """403 as JSON for anyone else (a script cannot follow a login redirect)."""

    def wrapped(request, *args, **kwargs):
        if not _may_add_images(request.user):
            return JsonResponse({"message": "You may not add images."}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


@require_POST
@_forbidden
def upload(request):
    file = request.FILES.get("file")
    if file is None:
        return JsonResponse({"message": "Choose an image file to upload."}, status=400)
    try:
        image = image_create(
            file=file,
            alt=request.POST.get("alt", ""),
            caption=request.POST.get("caption", ""),
            uploaded_by=request.user,
        )
    except ValidationError as error:
        return JsonResponse({"message": " ".join(error.messages)}, status=400)
    return JsonResponse(
        {
            "id": image.pk,
            "src": image.file.url,
            "alt": image.alt,
            "caption": image.caption,
            "width": image.width,
            "height": image.height,
        },
        status=201,
    )
