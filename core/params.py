"""Query-string parameters parsed by forms.

Every GET view reads its filters through a `QueryForm`: a value of the wrong type, an unknown
choice, an id that does not exist, a NUL byte or an over-long string is ignored (treated as absent),
so a crafted URL shows the unfiltered page instead of a 500.
"""

from django import forms


class SearchField(forms.CharField):
    """Free text from a search box: trimmed, cut to max_length rather than refused."""

    def __init__(self, *, max_length=100, **kwargs):
        super().__init__(max_length=max_length, required=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value[: self.max_length] if value else value


class QueryForm(forms.Form):
    """All fields optional; `form.get(name)` is the cleaned value, or `default` when absent or invalid."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        for field in self.fields.values():
            field.required = False

    def get(self, name, default=None):
        self.is_valid()  # cleans once; invalid fields are left out of cleaned_data
        value = self.cleaned_data.get(name)
        return default if value in (None, "", [], ()) else value

    def values(self):
        """The valid, non-empty parameters as a dict (what query functions take)."""
        return {name: self.get(name) for name in self.fields if self.get(name) is not None}


MAX_ID = 2**63 - 1


class IdListField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField whose ids are checked to be integers in the database's range first
    (Django's own lets "²" or 99999999999999999999 reach the query: ValueError / OverflowError → 500)."""

    def _check_values(self, value):
        for v in value:
            text = str(v)
            if not (text.isdecimal() and text.isascii() and 0 < int(text) <= MAX_ID):
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": text[:50]})
        return super()._check_values(value)


def id_choice(queryset):
    """A ModelChoiceField for an id parameter: a non-numeric or unknown id is simply ignored."""
    return forms.ModelChoiceField(queryset=queryset, required=False)
