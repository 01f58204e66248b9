from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Fieldset, Layout
from django import forms

from .models import Form1, Form2, Form2Row

TEXTAREA = lambda rows: forms.Textarea(attrs={"rows": rows})  # noqa: E731


class VersionedMixin:
    """A hidden `version` field: a stale form (someone saved since it was loaded) is refused."""

    def add_version(self, instance):
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        self.fields["version"].initial = instance.version if instance.pk else 0


def assessment_fields(form, items, prefix, values, label_suffix):
    names = []
    for item in items:
        name = f"{prefix}_{item.code}"
        form.fields[name] = forms.CharField(
            label=f"{item.name}", required=False, max_length=300, widget=TEXTAREA(2),
            help_text=item.description or label_suffix, initial=(values or {}).get(item.code, ""),
        )
        names.append(name)
    return names


class Form1Form(VersionedMixin, forms.ModelForm):
    """附件1. Every field is optional for a draft; completeness is checked at submit."""

    logo_upload = forms.FileField(label="品牌LOGO（JPG/PNG，不超过 5 MB，可选）", required=False)

    class Meta:
        model = Form1
        fields = [
            "secretary_name", "secretary_title", "secretary_phone", "contact_name", "contact_mobile", "contact_email",
            "members_staff", "members_student", "members_retired",
            "brand_name", "slogan", "focus_area", "logo_meaning", "foundation", "honours",
            "connotation", "goals", "measures", "schedule", "expected_results", "guarantees",
        ]
        widgets = {
            "logo_meaning": TEXTAREA(2), "foundation": TEXTAREA(5), "honours": TEXTAREA(3), "connotation": TEXTAREA(5),
            "goals": TEXTAREA(4), "measures": TEXTAREA(6), "schedule": TEXTAREA(5), "expected_results": TEXTAREA(4),
            "guarantees": TEXTAREA(3),
        }

    def __init__(self, *args, five_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version(self.instance)
        for f in self.fields.values():
            f.required = False
        self.five_names = assessment_fields(self, five_items, "five", self.instance.self_assessment, "对照该项简要说明本单位情况")
        self.five_items = list(five_items)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "version",
            Fieldset("一、基本信息",
                     HTML('<div class="row"><div class="col-md-4">'), "secretary_name", HTML('</div><div class="col-md-4">'),
                     "secretary_title", HTML('</div><div class="col-md-4">'), "secretary_phone", HTML("</div></div>"),
                     HTML('<div class="row"><div class="col-md-4">'), "contact_name", HTML('</div><div class="col-md-4">'),
                     "contact_mobile", HTML('</div><div class="col-md-4">'), "contact_email", HTML("</div></div>"),
                     HTML('<div class="row"><div class="col-md-4">'), "members_staff", HTML('</div><div class="col-md-4">'),
                     "members_student", HTML('</div><div class="col-md-4">'), "members_retired", HTML("</div></div>")),
            Fieldset("二、品牌设计", Field("brand_name", maxlength=12), "slogan", "focus_area", "logo_upload", "logo_meaning"),
            Fieldset("三、工作基础", "foundation", "honours"),
            Fieldset("四、创建方案", "connotation", "goals", "measures", "schedule", "expected_results", "guarantees"),
            Fieldset("五、对照“五个到位”自评", *self.five_names),
        )

    def assessment(self):
        return {item.code: self.cleaned_data.get(f"five_{item.code}", "").strip() for item in self.five_items}

    def model_data(self):
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = value.strip()
        data["self_assessment"] = self.assessment()
        return data


class RowForm(VersionedMixin, forms.ModelForm):
    class Meta:
        model = Form2Row
        fields = ["feature_name", "feature_intro", "carriers", "expected_results", "phone", "remarks"]
        widgets = {"feature_intro": TEXTAREA(4), "carriers": TEXTAREA(4), "expected_results": TEXTAREA(3)}

    def __init__(self, *args, seven_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version(self.instance)
        for f in self.fields.values():
            f.required = False
        self.seven_items = list(seven_items)
        seven = assessment_fields(self, seven_items, "seven", self.instance.self_assessment, "第一阶段可选填")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "version",
            Fieldset("本支部特色", Field("feature_name", maxlength=30), Field("feature_intro", maxlength=200),
                     "carriers", "expected_results", "phone", "remarks"),
            Fieldset("对照“七个有力”自评（可选）", *seven),
        )

    def model_data(self):
        data = {n: (self.cleaned_data.get(n) or "").strip() for n in self.Meta.fields}
        data["self_assessment"] = {i.code: self.cleaned_data.get(f"seven_{i.code}", "").strip() for i in self.seven_items}
        return data


class Form2HeaderForm(VersionedMixin, forms.ModelForm):
    class Meta:
        model = Form2
        fields = ["filler_name", "filler_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version(self.instance)
        for f in self.fields.values():
            f.required = False


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "审核通过"), ("return", "退回修改"), ("reopen", "重新开放编辑")])
    comment = forms.CharField(label="审核意见", required=False, max_length=1000, widget=TEXTAREA(3))


class CommentForm(forms.Form):
    comment = forms.CharField(label="意见", max_length=500, widget=TEXTAREA(2))


class ScanForm(forms.Form):
    file = forms.FileField(label="盖章扫描件（PDF/JPG/PNG，不超过 20 MB）")


# ---------------------------------------------------------------- phases 2/3


class OutcomeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        from .models import Outcome

        model = Outcome
        fields = ["outcome_type", "title", "date", "description"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "description": TEXTAREA(5)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0


class EntryForm(VersionedMixin, forms.ModelForm):
    class Meta:
        from .models import Entry

        model = Entry
        fields = ["title", "leader", "members", "started_on", "honours", "overview", "negative_list_declared", "college_opinion"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "honours": TEXTAREA(3),
                   "overview": TEXTAREA(12), "college_opinion": TEXTAREA(3)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version(self.instance)
        for f in self.fields.values():
            f.required = False
        self.fields["overview"].help_text = "背景、做法、成效、经验，建议 1000–1500 字"

    def model_data(self):
        data = {n: self.cleaned_data.get(n) for n in self.Meta.fields}
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


class RecommendForm(forms.Form):
    branch = forms.ModelChoiceField(label="推荐支部", queryset=None)
    rank = forms.TypedChoiceField(label="推荐排序", choices=[(1, "1"), (2, "2")], coerce=int)

    def __init__(self, *args, college, **kwargs):
        super().__init__(*args, **kwargs)
        from organizations.models import Organization

        self.fields["branch"].queryset = Organization.objects.active().filter(parent=college, level="branch")


class CheckForm(forms.Form):
    decision = forms.ChoiceField(choices=[("pass", "通过形式审查"), ("return", "退回修改")])
    comment = forms.CharField(required=False, max_length=1000)
