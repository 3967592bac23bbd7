from __future__ import annotations

from django import forms

from xinzhi.core.scope import region_prefix
from xinzhi.regions.models import Division

from .models import Company


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "uscc", "division", "field", "cluster", "founded_on", "listed_on", "exited_on", "exit_reason"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in ("founded_on", "listed_on", "exited_on")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        counties = Division.objects.filter(level="county").order_by("code")
        if user is not None and user.role != "province_staff" and not user.is_superuser:
            counties = counties.filter(code__startswith=region_prefix(user.division_id))
        self.fields["division"].queryset = counties

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("exited_on") and not cleaned.get("exit_reason"):
            self.add_error("exit_reason", "填写了退出日期须同时选择退出原因")
        founded, listed = cleaned.get("founded_on"), cleaned.get("listed_on")
        if founded and listed and listed < founded:
            self.add_error("listed_on", "不能早于成立日期")
        return cleaned
