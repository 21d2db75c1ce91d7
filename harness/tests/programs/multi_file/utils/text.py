def describe(params):
    return ", ".join(f"{name}{tuple(value.shape)}" for name, value in sorted(params.items()))
