"""Database work from the media server's loop: the ORM is synchronous, so it runs in Django's thread for synchronous
code and the loop (prompts, DTMF, other calls) never waits for a query."""

from asgiref.sync import sync_to_async


def db(function):
    """`await db(f)(args)`: runs the synchronous `f` in Django's thread for synchronous code."""
    return sync_to_async(function, thread_sensitive=True)
