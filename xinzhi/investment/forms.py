"""The project form: the record and its plan (the stage moves only through transitions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinzhi.core.scope import region_prefix
from xinzhi.regions.models import Division

from .models import InvestmentProject


class ProjectForm(forms.ModelForm):
    planned_total_wan = forms.DecimalField(label=_("计划总投资(万元)"), min_value=0, decimal_places=2, max_digits=14)

    class Meta:
        model = InvestmentProject
        fields = ["code", "name", "division", "industry", "cluster", "is_high_tech", "is_major", "dual_candidate",
                  "responsible_unit", "responsible_person", "planned_start", "planned_completion"]
        widgets = {"planned_start": forms.DateInput(attrs={"type": "date"}),
                   "planned_completion": forms.DateInput(attrs={"type": "date"}),
                   "industry": forms.TextInput(attrs={"placeholder": "4位行业代码"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        counties = Division.objects.filter(level="county").order_by("code")
        if user is not None and user.role != "province_staff" and not user.is_superuser:
            counties = counties.filter(code__startswith=region_prefix(user.division_id))
        self.fields["division"].queryset = counties
        self.fields["division"].label = _("县（市、区）")
        self.fields["industry"].label = _("行业代码")
        if self.instance.pk:
            self.fields["planned_total_wan"].initial = self.instance.planned_total / 10000

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_completion")
        if start and end and end < start:
            self.add_error("planned_completion", "不能早于计划开工日期")
        return cleaned

    def save(self, commit=True):
        self.instance.planned_total = int(round(self.cleaned_data["planned_total_wan"] * 10000))
        return super().save(commit=commit)
