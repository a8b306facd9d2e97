"""The portal PIN policy (services.pin_rule) as a Django password validator, for the one path that sets a PIN
through Django's own machinery: `manage.py createsuperuser`, which asks again when the validator refuses."""

from django.core.exceptions import ValidationError

from apps.users import services


class PinPolicyValidator:
    def validate(self, password, user=None):
        names = [getattr(user, "username", "") or ""] if user is not None else []
        problem = services.pin_rule(password, names)
        if problem:
            raise ValidationError(problem, code="pin_policy")

    def get_help_text(self):
        return services.PIN_RULE
