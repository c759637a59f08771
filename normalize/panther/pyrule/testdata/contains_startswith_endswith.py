PREFIXES = ("Delete", "Remove")


def rule(event):
    cmd = event.get("cmdline", "")
    return (
        "nmap" in cmd
        and event.get("eventName", "").startswith(PREFIXES)
        and event.get("fileName", "").endswith(".sh")
        and "-sS" not in cmd
    )
