"""Background work of the members app (thin: each task calls one function)."""

from django_tasks import task

from sentinelle.members import passwords


@task()
def send_password_reset(email: str, domain: str, use_https: bool) -> None:
    """Mail a password-reset link, off the request so its time says nothing about the address."""
    passwords.send_reset(email, domain=domain, use_https=use_https)
