from agreements.outstanding import agreements_to_sign


def agreements_to_sign_prompt(request):
    """Every page reminds a signed-in person of agreements they still have to sign."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "device_session", None):
        return {}
    return {"agreements_to_sign": agreements_to_sign(user)}
