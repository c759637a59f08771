def title(event):
    return "x"
