SCAN_TOOLS = {"nmap", "masscan", "zmap", "rustscan"}


def rule(event):
    if event.get("fdr_event_type") != "ProcessRollup2":
        return False
    image = event.udm("process_name") or ""
    cmdline = event.deep_get("event", "CommandLine", default="")
    if image.lower() in SCAN_TOOLS:
        return True
    return "-sS" in cmdline or "--top-ports" in cmdline
