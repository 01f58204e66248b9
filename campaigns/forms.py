from django import forms

from core.params import IdListField
from organizations.models import Level, Organization

from .models import Campaign, Deadline, DeadlineKind, ReminderSettings

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    due_design = forms.DateTimeField(label="附件1、附件2 截止时间", widget=DATETIME)
    due_review = forms.DateTimeField(label="附件3、总结报告、“三个一” 截止时间", widget=DATETIME)
    due_judging = forms.DateTimeField(label="评审打分截止时间", widget=DATETIME,
                                      help_text="即各类别十佳评审的截止时间：评委页面、打分时限和提醒邮件都以此为准。")

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


class ReminderSettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    offsets_text = forms.CharField(
        label="提前天数", max_length=60,
        help_text="用逗号分隔，例如 7,3,1,0（0 表示截止当天）。每个数在 0–60 之间。",
    )

    class Meta:
        model = ReminderSettings
        fields = ["enabled", "send_time", "subject_template", "body_template"]
        widgets = {
            "send_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "body_template": forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
        }
        help_texts = {
            "subject_template": "可用变量：{{ deadline_label }} {{ due_at }} {{ days_left }} {{ recipient_name }} {{ campaign_title }}",
            "body_template": "另可用 {% for item in items %}…{% endfor %}，item 含 label、organization、state、link。",
        }

    field_order = ["enabled", "offsets_text", "send_time", "subject_template", "body_template", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["offsets_text"].initial = ",".join(str(o) for o in self.instance.sorted_offsets())

    def clean_offsets_text(self):
        raw = self.cleaned_data["offsets_text"].replace("，", ",")
        try:
            values = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
        except ValueError:
            raise forms.ValidationError("请输入用逗号分隔的整数，例如 7,3,1,0") from None
        if not values:
            raise forms.ValidationError("至少需要一个提醒时间")
        if any(v < 0 or v > 60 for v in values):
            raise forms.ValidationError("每个数必须在 0–60 之间")
        return values

    def _check_template(self, name):
        from django.template import TemplateSyntaxError

        from . import reminders

        source = self.cleaned_data.get(name, "")
        try:
            reminders._render(source, reminders.sample_context())
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(f"模板有语法错误：{exc}") from None
        return source

    def clean_subject_template(self):
        return self._check_template("subject_template")

    def clean_body_template(self):
        return self._check_template("body_template")

    def settings_data(self):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["offsets"] = self.cleaned_data["offsets_text"]
        return data


class ManualReminderForm(forms.Form):
    deadline = forms.ModelChoiceField(label="截止事项", queryset=Deadline.objects.none())
    organizations = IdListField(
        label="党组织", queryset=Organization.objects.active().filter(level__in=[Level.COLLEGE, Level.BRANCH]),
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="选择院级党组织时，其下设支部的未完成事项一并提醒。只有仍有未完成事项的人会收到提醒。",
    )
    note = forms.CharField(label="附言（可选）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].queryset = campaign.deadlines.all()
