"""What every form of Ensemble shares: the DSFR look of its fields."""

from typing import Any

from django import forms


class DsfrForm(forms.BaseForm):
    """Mixin giving each widget the State design system class it needs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue  # DSFR styles checkboxes by their markup, not a class
            css = "fr-select" if isinstance(widget, forms.Select) else "fr-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
