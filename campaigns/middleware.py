"""Per-request memo of the campaign's deadlines and extensions for reads.

Policy checks ask "is the window open for this org?" for every row and button on a page; inside
a GET each campaign's deadlines and extensions are read once (writes happen in POSTs, which read
fresh values)."""

from .queries import memoized

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CampaignLookupsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            with memoized():
                return self.get_response(request)
        return self.get_response(request)
