"""Password rules and account forms in the portal's own Chinese (您), not Django's defaults.

Django's zh-hans catalogue says 你 and leaves the password-length message in English (its plural
form is not picked up next to the other catalogues), so the portal words them itself."""

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，请至少输入 {self.min_length} 个字符。", code="password_too_short",
                                  params={"min_length": self.min_length})

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError("这个密码太常见，容易被猜到，请换一个。", code="password_too_common") from None

    def get_help_text(self):
        return "不能使用常见密码（如 12345678、password）。"


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def validate(self, password, user=None):
        if password.isdigit():
            raise ValidationError("密码不能全是数字，请加入字母或符号。", code="password_entirely_numeric")

    def get_help_text(self):
        return "不能全是数字。"


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError("密码与您的用户名或姓名太相似，请换一个。", code="password_too_similar") from None

    def get_help_text(self):
        return "不能与您的用户名或姓名相似。"


NEW_PASSWORD_HELP = "请输入与上面相同的新密码，以便核对。"


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        "password_mismatch": "两次输入的新密码不一致，请重新输入。",
        "password_incorrect": "您输入的旧密码不正确，请重新输入。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].help_text = NEW_PASSWORD_HELP


class SetPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {"password_mismatch": "两次输入的密码不一致，请重新输入。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].help_text = NEW_PASSWORD_HELP


class AuthenticationForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入（注意区分大小写）。",
        "inactive": "该账号已停用，如有疑问请联系党委组织部。",
    }
