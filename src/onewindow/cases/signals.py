"""Signals cases sends so that higher apps (policies) can follow a case without cases
importing them.

Both are sent **inside** the transaction that moves the case (synchronously, after the
move is written): a receiver's writes commit or roll back with the case's move, and a
receiver that raises refuses the move. Receivers must be quick and must not touch the case.
"""

from django.dispatch import Signal

#: Sent with ``case`` when an application is submitted (online or at the window).
case_submitted = Signal()

#: Sent with ``case`` when a decision is made (``case.decision``: approved or denied,
#: ``case.decision_reason``), for a bundle's child and for its parent alike.
case_decided = Signal()
