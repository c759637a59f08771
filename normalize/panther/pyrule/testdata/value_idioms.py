# Tuple membership, look-through on split parts, constants lowered as the
# code lowers them, and str methods on None.
PAIRS = {("winword.exe", "cmd.exe"), ("excel.exe", "powershell.exe")}
LOLBAS = {"AppInstaller.exe", "Certutil.exe"}
ALLOWED_DOMAINS = ["mycompany.com"]


def rule(event):
    parent = event.deep_get("event", "ParentBaseFileName", default="").lower()
    child = event.deep_get("event", "ImageFileName", default="").lower().split("\\")[-1]
    if (parent, child) in PAIRS:
        return True
    if child in [x.lower() for x in LOLBAS]:
        return True
    target = event.get("TargetUserOrGroupName", "")
    return target.split("@")[1].lower() not in ALLOWED_DOMAINS
