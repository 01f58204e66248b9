from django import forms

from .models import Organization


class OrganizationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Organization
        fields = [
            "name", "short_name", "org_type", "sort_order",
            "secretary_name", "secretary_title", "secretary_phone",
            "contact_name", "contact_phone", "contact_email",
            "members_staff", "members_student", "members_retired", "members_probationary",
            "dual_leader", "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
