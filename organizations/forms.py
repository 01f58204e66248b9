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


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", help_text="请使用下载的模板或“导出”得到的文件，不超过 5 MB。")
    deactivate_absent = forms.BooleanField(
        label="停用文件中未列出的党组织（导入完整名单时勾选）",
        required=False,
        help_text="不勾选时，文件中没有的党组织保持不变。党组织不会被删除，停用后历史记录保留。",
    )

    def clean_file(self):
        from .importing import MAX_UPLOAD_BYTES

        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大（{f.size / 1024 / 1024:.1f} MB），上限为 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
        return f
