"""A mail backend for the killed-worker test: the file backend, but each send takes a while (as a
real SMTP round trip does), so a SIGKILL lands while a mail is on its way and not yet written."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class SlowFileBackend(FileBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "1")))
        return super().send_messages(email_messages)
