"""Forms for the judging screens. Workflow rules live in services; these only parse input."""

from django import forms

from .models import JudgingTrack, TieBreak

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TrackSettingsForm(forms.ModelForm):
    tie_break_1 = forms.ChoiceField(label="同分时依次比较 ①", required=False)
    tie_break_2 = forms.ChoiceField(label="②", required=False)
    tie_break_3 = forms.ChoiceField(label="③", required=False)

    class Meta:
        model = JudgingTrack
        fields = ["opens_at", "closes_at", "blind", "aggregation", "normalise", "disagree_sd", "judges_per_entry",
                  "min_valid_scores", "second_round", "shortlist_size", "round1_weight", "round2_weight",
                  "defence_minutes", "reveal_names", "award_count", "award_amount"]
        widgets = {"opens_at": DT_WIDGET, "closes_at": DT_WIDGET}

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "（不使用）")] + [(f"criterion:{c.code}", f"指标得分：{c.name}") for c in criteria]
        choices += list(TieBreak.choices)
        current = list(self.instance.tie_break or []) + ["", "", ""]
        for i in range(3):
            f = self.fields[f"tie_break_{i + 1}"]
            f.choices = choices
            f.initial = current[i]
        self.fields["min_valid_scores"].required = False  # left out: keeps the current value
        self.fields["closes_at"].help_text = ("与年度活动的“评审打分”截止时间是同一个时间：在此修改，活动截止时间及"
                                              "其他评审中的类别随之调整；评委页面和提醒邮件都以此为准。")
        self.fields["defence_minutes"].required = False  # blank keeps the current length
        self.fields["opens_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["closes_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        if self.instance.pk and self.instance.stage != "setup":
            # fixed before judging: shown, not editable (the service refuses changes anyway)
            from .services import SETUP_ONLY_FIELDS

            for name in [*SETUP_ONLY_FIELDS, "tie_break_1", "tie_break_2", "tie_break_3"]:
                if name in self.fields:
                    self.fields[name].disabled = True

    def tie_break(self):
        return [self.cleaned_data[f"tie_break_{i}"] for i in (1, 2, 3) if self.cleaned_data.get(f"tie_break_{i}")]

    def changes(self):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if data.get("min_valid_scores") is None:
            data["min_valid_scores"] = self.initial.get("min_valid_scores") or JudgingTrack._meta.get_field(
                "min_valid_scores").default
        data["tie_break"] = self.tie_break()
        if data.get("defence_minutes") is None:
            data["defence_minutes"] = self.instance.defence_minutes
        return data


class CriterionForm(forms.Form):
    code = forms.SlugField(label="编码", max_length=30)
    name = forms.CharField(label="评审指标", max_length=50)
    description = forms.CharField(label="评分要点", max_length=300, required=False)
    max_points = forms.IntegerField(label="分值", min_value=1, max_value=100)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True)


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label="收到日期", input_formats=["%Y-%m-%d"], widget=forms.DateInput(
        attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"))
    entry = forms.TypedChoiceField(label="涉及项目", required=False, coerce=int, empty_value=None,
                                   widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    content = forms.CharField(label="异议内容", max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}))

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "（不针对具体项目）")] + [(e.pk, str(e.organization)) for e in entries]


class PublicObjectionForm(forms.Form):
    """An objection filed online during the 公示: real name, unit and contact are required (实名反映)."""

    name = forms.CharField(label="姓名（实名）", max_length=30,
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "name"}))
    unit = forms.CharField(label="所在单位", max_length=60, widget=forms.TextInput(attrs={"class": "form-control"}))
    contact = forms.CharField(label="联系方式（手机或邮箱）", max_length=60,
                              widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "tel"}))
    entry = forms.TypedChoiceField(label="涉及的拟表彰项目（可不选）", required=False, coerce=int, empty_value=None,
                                   widget=forms.Select(attrs={"class": "form-select"}))
    content = forms.CharField(label="异议内容（请写明事实和依据，不超过 2000 字）", max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 6, "class": "form-control", "maxlength": 2000}))

    def __init__(self, *args, proposal=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "（不针对具体项目）")] + [
            (p["entry"], f"第{p['place']}名 {p['name']}") for p in proposal]


class ReceiptLookupForm(forms.Form):
    code = forms.CharField(label="回执码", max_length=40, widget=forms.TextInput(
        attrs={"class": "form-control", "autocomplete": "off", "placeholder": "XXXX-XXXX-XXXX-XXXX"}))
