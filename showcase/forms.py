from django import forms

from core.params import IdListField, QueryForm, SearchField
from organizations.models import OrgType

from .models import Award, ItemKind, ItemOutcome, ShowcaseItem


class PickForm(forms.Form):
    organization = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=[("brand", "党建品牌"), ("branch", "特色支部")], widget=forms.HiddenInput)


class PublishForm(forms.Form):
    award = forms.ChoiceField(label="十佳", choices=Award.choices, required=False)


class BookletForm(forms.Form):
    title = forms.CharField(label="汇编标题", max_length=100, required=False,
                            help_text="留空则为“××年度党建特色品牌创建成果汇编”")
    items = IdListField(label="收录条目", queryset=ShowcaseItem.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = (ShowcaseItem.objects.published().filter(campaign=campaign).select_related("college")
                                         .order_by("college__sort_order", "college__code", "-kind", "org_name"))
        if not self.is_bound:
            self.initial["items"] = list(self.fields["items"].queryset)


class ShowcaseSearchForm(QueryForm):
    """成果展示 filters (GET): an invalid value is ignored."""

    q = SearchField()
    year = forms.IntegerField(min_value=2000, max_value=2999)
    org_type = forms.ChoiceField(choices=OrgType.choices)
    award = forms.ChoiceField(choices=[("any", "仅十佳")] + [(v, l) for v, l in Award.choices if v])
    kind = forms.ChoiceField(choices=ItemKind.choices)


class LibrarySearchForm(QueryForm):
    q = SearchField()
    year = forms.IntegerField(min_value=2000, max_value=2999)
    type = forms.ChoiceField(choices=[(t.value, t.label) for t in ItemOutcome.LIBRARY_TYPES])
