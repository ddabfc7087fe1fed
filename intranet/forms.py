"""Form pieces shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError


class ModelChoiceField(forms.ModelChoiceField):
    """Django's field, answering a posted key too large for the database as an invalid choice.

    Django catches ValueError and TypeError, but SQLite raises OverflowError for a key of
    2**63 or more (pages' keys are one-to-one fields, which Django does not range-check).
    """

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError as exc:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from exc
