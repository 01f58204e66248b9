from django import forms

from organizations.models import Level, Organization

from .models import Campaign, Deadline, DeadlineKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    due_design = forms.DateTimeField(label="附件1、附件2 截止时间", widget=DATETIME)
    due_review = forms.DateTimeField(label="附件3、总结报告、\"三个一\" 截止时间", widget=DATETIME)
    due_judging = forms.DateTimeField(label="评审打分截止时间", widget=DATETIME)

    class Meta:
        model = Campaign
        fields = ["title", "design_start", "design_end", "build_start", "build_end", "review_start", "review_end", "promotion_start"]
        widgets = {name: DATE for name in fields[1:]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        deadlines = {d.kind: d for d in self.instance.deadlines.all()}
        for kind in DeadlineKind.values:
            if kind in deadlines:
                self.fields[f"due_{kind}"].initial = deadlines[kind].due_at

    def deadlines(self):
        return {kind: self.cleaned_data[f"due_{kind}"] for kind in DeadlineKind.values}


class ExtensionForm(forms.Form):
    deadline = forms.ModelChoiceField(label="截止事项", queryset=Deadline.objects.none())
    organization = forms.ModelChoiceField(
        label="党组织", queryset=Organization.objects.active().filter(level__in=[Level.COLLEGE, Level.BRANCH])
    )
    due_at = forms.DateTimeField(label="延期至", widget=DATETIME)
    reason = forms.CharField(label="原因", max_length=200)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].queryset = campaign.deadlines.all()
        self.fields["organization"].queryset = self.fields["organization"].queryset.select_related("parent")
