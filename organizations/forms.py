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

    revoke_absent = forms.BooleanField(
        label="停用文件中未列出的账号，撤销未列出的角色（导入完整账号名单时勾选）",
        required=False,
        help_text="预览中会逐一列出将被停用的账号和撤销的角色，确认后才写入。组织部管理员不会被停用或撤销。",
    )

    def clean_file(self):
        from .importing import MAX_UPLOAD_BYTES

        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大（{f.size / 1024 / 1024:.1f} MB），上限为 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
        return f


class AccountForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，字母、数字和 @ . + - _；创建后不能修改。")
    full_name = forms.CharField(label="姓名", max_length=30, required=False)
    email = forms.EmailField(label="邮箱", required=False, help_text="用于接收通知和设置密码链接。")
    phone = forms.CharField(label="手机", max_length=20, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["username"]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="角色")
    organization = forms.ModelChoiceField(label="所属党组织", queryset=Organization.objects.none(), required=False,
                                          help_text="院级书记/联系人须选院(处)级党组织，支部书记须选党支部；评审专家可选其所在单位（用于回避）。")

    def __init__(self, *args, **kwargs):
        from .models import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "请选择角色"), *Role.choices]
        self.fields["organization"].queryset = Organization.objects.active().exclude(level="school").order_by(
            "level", "sort_order", "code")
