"""One-time activation links for accounts created without a password."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ..models import User

class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """One-time activation tokens; invalid once the password is set (the hash changes)."""

    key_salt = "organizations.importing.ActivationTokenGenerator"


activation_tokens = ActivationTokenGenerator()


def activation_path(user):
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("activate", kwargs={"uidb64": uidb64, "token": activation_tokens.make_token(user)})


def pending_activation(user_ids=None):
    """Active accounts (among user_ids, if given) that have not set a password yet, by username."""
    qs = User.objects.filter(is_active=True).order_by("username")
    if user_ids is not None:
        qs = qs.filter(pk__in=user_ids)
    # Django marks an unusable password with a leading "!"
    return [u for u in qs.filter(password__startswith="!") if not u.has_usable_password()]
