"""Sign-in and organisation-picker forms."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class SignInForm(AuthenticationForm):
    """Email and password; the labels say "email" since that is what users sign in with."""

    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email address and password do not match an account. Check both and try again."),
    }


class OrganizationChoiceForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Organisation"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [
            (m.organization_id, f"{m.organization.name} ({m.get_role_display()})") for m in memberships
        ]


class ProfileForm(forms.ModelForm):
    """What a user sets for themselves: the language of their pages and emails, and the weekly digest."""

    class Meta:
        model = User
        fields = ["language", "receives_digest"]
        labels = {"language": _("Language")}
