"""WSGI entry point. One wrapper around Django: a 401's joined challenges go out as two
`WWW-Authenticate` header lines (see sipxweb.rest.challenges)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sipxweb.settings")


def split_auth_challenges(app):
    from sipxweb.rest.challenges import split_challenges

    def wrapped(environ, start_response):
        def start(status, headers, exc_info=None):
            out = []
            for name, value in headers:
                if name.lower() == "www-authenticate":
                    out.extend((name, part) for part in split_challenges(value))
                else:
                    out.append((name, value))
            return start_response(status, out, exc_info)

        return app(environ, start)

    return wrapped


application = split_auth_challenges(get_wsgi_application())
