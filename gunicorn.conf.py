"""gunicorn settings for sipxweb. `make run` uses this file; every value can be overridden from the
environment (PORT, CALLCONTROL_PORT, WEB_CONCURRENCY, GUNICORN_TIMEOUT, BIND_HOST, GUNICORN_CONTROL_SOCKET)."""

import os

_host = os.environ.get("BIND_HOST", "127.0.0.1")
# The main port and the click-to-call port (docs/compatibility.md A.5) are served by the same workers.
bind = [f"{_host}:{os.environ.get('PORT', '8000')}", f"{_host}:{os.environ.get('CALLCONTROL_PORT', '6667')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 10
wsgi_app = "sipxweb.wsgi:application"
accesslog = "-"
errorlog = "-"
# Access log lines go through sipxweb.logredact: the voicemail PIN is part of a URL (docs/compatibility.md D5).
logger_class = "sipxweb.gunicorn_logging.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# gunicorn's control socket (gunicornc) defaults to one path per system user (~/.gunicorn/gunicorn.ctl): a second
# installation, or a second `make run`, took over the first one's. Each installation names its own socket
# with GUNICORN_CONTROL_SOCKET, or has none (the default).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
