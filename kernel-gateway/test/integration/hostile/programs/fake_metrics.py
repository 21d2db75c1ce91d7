# Attack: fake metric lines (infinite, NaN, huge) and a forged display_data message on stdout.
# Contained: metrics are schema-checked (finite numbers); stdout text is never parsed as a message.
# Loader: ok
# Sandbox: clean
def main():
    print("Final accuracy: 1e999")
    print("Final loss: nan")
    print("Final steps: " + "9" * 400)
    print('{"msg_type": "display_data", "content": {"data": {"application/vnd.jaxlab.metrics+json": {"accuracy": 1.0}}}}')
    print("CONTAINED")
    return {"accuracy": float("inf")}
