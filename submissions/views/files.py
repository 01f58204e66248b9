from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views import View

from core.http import ranged_file_response

from .. import access
from ..models import Attachment

CONTENT_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "jpeg": "image/jpeg", "png": "image/png", "mp4": "video/mp4"}


class AttachmentView(View):
    """Serve an uploaded file to those entitled (404 to everyone else: no guessable public URLs).

    Supports HTTP Range requests so the micro-video streams with seeking."""

    def get(self, request, uuid):
        attachment = get_object_or_404(Attachment.objects.select_related("organization"), uuid=uuid)
        if not access.can_view(request.user, attachment):
            raise Http404
        as_attachment = request.GET.get("download") == "1" or attachment.kind == "docx"
        return ranged_file_response(request, attachment.file, CONTENT_TYPES[attachment.kind],
                                    filename=attachment.original_name, as_attachment=as_attachment)
