"""Signals of the catalogue of policies (the officer's part).

``version_published(sender=PolicyItemVersion, version=<the version>)`` is sent once the
transaction that published a version has committed (``transaction.on_commit``).
"""

from django.dispatch import Signal

version_published = Signal()
