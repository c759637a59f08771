TOOLS = ["nmap", "masscan", "zmap"]


def rule(event):
    return all(
        [
            event.get("eventType") == "process",
            any([event.get("parent") == "bash", event.get("parent") == "sh"]),
            any(tool in event.get("cmdline", "") for tool in TOOLS),
            not event.get("trusted"),
        ]
    )
