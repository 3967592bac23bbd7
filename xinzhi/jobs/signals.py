"""``job_finished(sender=Job, job=job)``: sent after a job succeeded or failed (after its commit), so the
notifications can tell its owner (wired in ``web``, where both apps are known)."""

from django.dispatch import Signal

job_finished = Signal()
