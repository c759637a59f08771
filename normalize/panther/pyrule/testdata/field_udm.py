def rule(event):
    return event.udm("actor_user") is not None and event.udm("source_ip") != "127.0.0.1"
