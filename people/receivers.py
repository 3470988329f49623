"""Signal receivers of the people app: security logging for sign-in lockouts, and the
one-time-password flag a sign-in carries into the session."""

import logging

from axes.signals import user_locked_out

security_log = logging.getLogger("people.security")


def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    security_log.warning(
        "account locked after repeated failed logins: username=%s ip=%s", username, ip_address
    )


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    from .passwords import flag_on_login

    user_locked_out.connect(log_lockout, dispatch_uid="people_log_lockout")
    user_logged_in.connect(flag_on_login, dispatch_uid="people_password_flag")
