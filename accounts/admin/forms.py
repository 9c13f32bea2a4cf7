"""The user admin's forms: email addresses are normalised and unique; a new account starts without a password."""

from django import forms
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from ..models import User


class EmailNormalisingMixin:
    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        duplicate = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError(_("A user with this email address already exists."))
        return email


class UserCreationAdminForm(EmailNormalisingMixin, forms.ModelForm):
    """A new account has no password: the person chooses it through the link emailed when it is created."""

    class Meta:
        model = User
        fields = ("email", "display_name")

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class UserChangeAdminForm(EmailNormalisingMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
