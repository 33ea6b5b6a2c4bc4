"""Email backends that misbehave on purpose."""

import threading
import time

from django.core.mail.backends.locmem import EmailBackend


class FailingBackend(EmailBackend):
    failures_left = 0

    def send_messages(self, messages):
        if FailingBackend.failures_left > 0:
            FailingBackend.failures_left -= 1
            raise ConnectionRefusedError("SMTP server unreachable")
        return super().send_messages(messages)


class SlowBackend(EmailBackend):
    """Holds each send long enough for a second worker to arrive at the same row."""

    lock = threading.Lock()

    def send_messages(self, messages):
        time.sleep(0.5)
        with SlowBackend.lock:
            return super().send_messages(messages)
