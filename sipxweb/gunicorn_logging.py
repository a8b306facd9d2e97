"""gunicorn's access and error logs pass through the same redaction as Django's (sipxweb.logredact)."""

from gunicorn.glogging import Logger

from sipxweb.logredact import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "{raw_uri}e", "{path_info}e", "{query_string}e"):
            if key in atoms and isinstance(atoms[key], str):
                atoms[key] = redact(atoms[key])
        return atoms

    def error(self, msg, *args, **kwargs):
        super().error(redact(str(msg)), *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        super().warning(redact(str(msg)), *args, **kwargs)
