import re
from urllib.parse import parse_qs, urlsplit

from django import forms

from organizations.models import Level, Organization, Role

from . import platforms
from .models import Platform

SECRET_RE = re.compile(r"^[A-Za-z0-9_\-]{8,200}$")


class RobotForm(forms.Form):
    name = forms.CharField(label="名称", max_length=60, help_text="例如：机械工程学院党委工作群")
    platform = forms.ChoiceField(label="平台", choices=Platform.choices)
    scope = forms.ChoiceField(label="接收范围", choices=[("org", "一个院级党组织（含所属支部）"), ("role", "某一角色的全部人员")],
                              widget=forms.RadioSelect, initial="org")
    organization = forms.ModelChoiceField(label="院级党组织", required=False, queryset=Organization.objects.none())
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "—")] + list(Role.choices))
    webhook = forms.CharField(label="Webhook 地址", max_length=500, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                              help_text="在群设置 → 群机器人中复制完整地址。保存后只显示部分内容。")
    secret = forms.CharField(label="加签密钥（钉钉）", max_length=200, required=False,
                             widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                             help_text="钉钉机器人安全设置选择“加签”时显示的 SEC 开头的密钥。")
    clear_secret = forms.BooleanField(label="清除已保存的加签密钥", required=False)
    enabled = forms.BooleanField(label="启用", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, robot=None, **kwargs):
        self.robot = robot
        if robot is not None:
            kwargs.setdefault("initial", {}).update(
                name=robot.name, platform=robot.platform, scope="org" if robot.organization_id else "role",
                organization=robot.organization_id, role=robot.role, enabled=robot.enabled, version=robot.version,
            )
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.active().filter(level=Level.COLLEGE)
        if robot is not None:
            self.fields["platform"].disabled = True
            self.fields["webhook"].help_text = f"已保存：{robot.webhook_mask}。留空表示不修改。"
            if robot.secret_mask:
                self.fields["secret"].help_text = f"已保存：{robot.secret_mask}。留空表示不修改。"
        else:
            del self.fields["clear_secret"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if re.search(r"[<>]", name):
            raise forms.ValidationError("名称不能包含 < 或 > 字符。")
        return name

    def clean_webhook(self):
        url = self.cleaned_data["webhook"].strip()
        if not url:
            if self.robot is None:
                raise forms.ValidationError("请填写 Webhook 地址。")
            return ""
        try:
            platforms.check_webhook(url)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return url

    def clean_secret(self):
        secret = self.cleaned_data["secret"].strip()
        if secret and not SECRET_RE.match(secret):
            raise forms.ValidationError("加签密钥只能包含字母、数字、下划线和连字符（8–200 个字符）。")
        return secret

    def clean(self):
        data = super().clean()
        platform = data.get("platform") or (self.robot.platform if self.robot else "")
        url = data.get("webhook")
        if url:
            query = parse_qs(urlsplit(url).query)
            if platform == Platform.WECOM and not query.get("key"):
                self.add_error("webhook", "企业微信群机器人的地址应包含 key= 参数（…/cgi-bin/webhook/send?key=…）。")
            if platform == Platform.DINGTALK and not query.get("access_token"):
                self.add_error("webhook", "钉钉机器人的地址应包含 access_token= 参数（…/robot/send?access_token=…）。")
        if data.get("secret") and platform == Platform.WECOM:
            self.add_error("secret", "企业微信群机器人没有加签密钥，请留空。")
        if data.get("scope") == "org":
            if not data.get("organization"):
                self.add_error("organization", "请选择院级党组织。")
            data["role"] = ""
        elif data.get("scope") == "role":
            if not data.get("role"):
                self.add_error("role", "请选择角色。")
            data["organization"] = None
        return data

    def robot_data(self):
        d = self.cleaned_data
        data = {k: d.get(k) for k in ("name", "organization", "role", "enabled", "webhook", "secret")}
        data["platform"] = d.get("platform") or (self.robot.platform if self.robot else "")
        data["clear_secret"] = d.get("clear_secret", False)
        return data
