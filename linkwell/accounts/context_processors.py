from .permissions import Capability, can


def roles(request):
    user = request.user
    return {"can": {c.value: can(user, c) for c in Capability}}
