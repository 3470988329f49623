"""Forms of the people app."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .tabular import upload_validate


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or password is wrong. After 5 failed attempts the account is "
            "locked for 15 minutes."
        ),
    }


class OfficerImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_(
            "Columns: 工号, 姓名, 单位编码 (required); 手机号, 身份证号, 用工性质, 执法岗位, 用户名 "
            "(optional). The header must be the first row. Format the 身份证号 and 手机号 columns "
            "as text (设置为文本格式) before typing them."
        ),
    )
    dry_run = forms.BooleanField(label=_("Check only, do not save"), required=False)

    def clean_file(self):
        return upload_validate(self.cleaned_data["file"])
