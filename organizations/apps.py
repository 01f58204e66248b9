from django.apps import AppConfig

ACTION_LABELS = {
    "revoke_role": "撤销角色",
    "password_reset": "生成设置密码链接",
    "unlock": "解除登录锁定",
}


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "组织与人员"

    def ready(self):
        from audit.log import ACTION_LABELS as labels

        labels.update(ACTION_LABELS)
