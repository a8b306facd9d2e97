"""Content-Security-Policy for the HTML pages (Django's CSP support, SECURE_CSP in settings).

Every script and style the pages use is a file under /static/; the two inline blocks (the no-js switch in
base.html, the voicemail page's styles) carry the request's nonce. The header goes on HTML responses only:
REST documents, audio, CSV and vCard are not pages, and building the policy would cost every API call."""

from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.utils.csp import CSP

POLICY = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "media-src": [CSP.SELF, "blob:"],  # the recorder (static/js/recorder.js) plays a new recording before it is kept
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The API docs page (drf-spectacular's Swagger UI template) has an inline script and style without a nonce,
# and Swagger UI sets style attributes as it renders: that one page allows inline code from itself.
API_DOCS_POLICY = {
    **POLICY,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
}


class HtmlContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("text/html"):
            return super().process_response(request, response)
        return response
