def render(result, format="text"): return ""
