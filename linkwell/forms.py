"""Form styling shared by every app: NHS.UK frontend classes on Django widgets."""

from django import forms

_CLASSES = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
    forms.DateInput: "nhsuk-input nhsuk-input--width-10",
    forms.NumberInput: "nhsuk-input nhsuk-input--width-4",
}


class NHSFormMixin:
    """Adds NHS.UK frontend classes to every widget.

    A form shown on a page beside others sets `id_prefix`, so its fields' ids ("goal-description")
    cannot collide with another form's and each label names its own field.
    """

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            css = next((c for t, c in _CLASSES.items() if isinstance(widget, t)), "nhsuk-input")
            widget.attrs.setdefault("class", css)

    def add_service_error(self, error) -> None:
        """Show a service's ValidationError by the field it names, or at the top."""
        for field, messages in error.message_dict.items():
            name = field.removeprefix("person.")
            shown = name in self.fields and not self.fields[name].widget.is_hidden
            self.add_error(name if shown else None, messages)
