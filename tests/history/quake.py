"""Four outlets' reports of one earthquake, as JSONL-shaped documents, for the history tests.

Version 1: three outlets give the toll as 12. Version 2: the Daily Planet edits its article (same
URL) to 15, and the Coast Herald joins with 12. Loaded by path (`load_quake()`), since tests are
not a package.
"""

from __future__ import annotations

BODIES = {
    "Daily Planet": (
        "A strong earthquake struck the mountain province of Vell early on Monday, killing {n} people, "
        "officials said. The tremor hit at dawn while most families were still asleep in stone houses. "
        "Rescue teams worked through the night in the town of Arnor, the worst hit, pulling survivors from "
        "the rubble. The regional governor declared three days of mourning and asked the army for help."),
    "Morning Post": (
        "{n} people died when an earthquake shook Vell province on Monday morning, the interior ministry said. "
        "Television pictures showed collapsed roofs and cracked roads around Arnor. "
        "Hospitals in the provincial capital treated dozens of injured villagers, a doctor told reporters. "
        "Aftershocks rattled the valley for hours, keeping people outside in the cold."),
    "Evening Star": (
        "Officials in Vell said the Monday earthquake had killed {n} people and destroyed hundreds of homes. "
        "Aid agencies sent tents, blankets and water to villages near the epicentre outside Arnor. "
        "Seismologists measured the quake at magnitude 6.1, with its centre ten kilometres underground. "
        "Schools across the province will stay closed for the rest of the week."),
    "Coast Herald": (
        "The earthquake that hit Vell province on Monday killed {n} people, according to the regional governor. "
        "Volunteers from the coast drove supply trucks to Arnor overnight. "
        "Engineers began inspecting bridges and dams in the valley for damage. "
        "The government promised money to rebuild the destroyed houses before winter."),
}


def doc(outlet: str, toll: int, published: str = "2024-03-04T09:00:00+00:00") -> dict[str, str]:
    slug = outlet.split()[1].lower()
    return {"url": f"https://{slug}.example/2024/vell-quake", "outlet": outlet, "title": "Earthquake in Vell",
            "published": published, "text": BODIES[outlet].format(n=toll)}


VERSION_1 = [doc("Daily Planet", 12), doc("Morning Post", 12), doc("Evening Star", 12)]
VERSION_2 = [doc("Daily Planet", 15), doc("Morning Post", 12), doc("Evening Star", 12),
             doc("Coast Herald", 12, "2024-03-04T15:00:00+00:00")]
