class StaleEdit(Exception):
    """Someone else saved this record after the editor loaded it."""

    message = "保存失败：在您编辑期间，其他人已修改并保存了此内容。您填写的内容仍保留在下方，请核对最新版本后再保存。"

    def __str__(self):
        return self.message
