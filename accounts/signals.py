"""Signals for the emails accounts needs but cannot send itself: the outbox lives in `tracker`, above accounts.

`tracker.account_emails` listens and puts each email in the outbox. Senders check `has_listeners()` and fail
loudly when nobody listens, so a reset link is never silently dropped.
"""

from django.dispatch import Signal

#: A password-reset (or set-your-password) link must be emailed to `user`. Arguments: user, now.
password_reset_requested = Signal()

#: Tell `user` that their second factor is being reset or was reset. Arguments: reset (TwoFactorResetRequest), now.
two_factor_reset_notice = Signal()


def send(signal: Signal, **kwargs) -> None:
    if not signal.has_listeners():
        raise RuntimeError("No email sender is connected to accounts.signals (is the tracker app installed?).")
    signal.send(sender=None, **kwargs)
