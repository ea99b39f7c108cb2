"""Prepared texts of manual alerts, cancels and corrections, in every supported language.

A duty officer never types the public's words under pressure: they pick one
of these (Hawaii 2018: no prepared cancel existed, and the correction took 38
minutes). A template's text replaces the ``<description>`` of each CAP
``<info>``; the headline and instruction stay those of ``text.py``, and a
drill's text still begins with the drill marker.

>>> template_text("cancel_error", "en-US", "Exercise")[:27]
'EXERCISE — THIS IS A DRILL.'
>>> sorted(TEMPLATES["alert"])[:2]
['attack_expected', 'debris']
"""

from __future__ import annotations

from tocsin.alert import text

# purpose -> template id -> language key -> text
TEMPLATES: dict[str, dict[str, dict[str, str]]] = {
    "alert": {
        "attack_expected": {
            "en": "Civil defence reports that attack drones are expected over your area.",
            "ru": "Гражданская оборона сообщает: над вашим районом ожидаются ударные беспилотники.",
        },
        "observers": {
            "en": "Observers report drones flying towards your area.",
            "ru": "Наблюдатели сообщают о беспилотниках, летящих в сторону вашего района.",
        },
        "debris": {
            "en": "Danger of falling drone debris in your area.",
            "ru": "В вашем районе опасность падения обломков беспилотников.",
        },
    },
    "cancel": {
        "cancel_error": {
            "en": "The earlier alert for your area was sent in error. There is no threat. "
            "Disregard it.",
            "ru": "Ранее отправленное для вашего района оповещение ошибочно. Угрозы нет. "
            "Не принимайте его во внимание.",
        },
        "cancel_test": {
            "en": "The earlier alert for your area was a test sent by mistake to the public. "
            "There is no threat.",
            "ru": "Ранее отправленное для вашего района оповещение — ошибочно разосланная "
            "проверка. Угрозы нет.",
        },
    },
    "correct": {
        "wrong_area": {
            "en": "Correction: the earlier alert named too wide an area. It remains in force "
            "only where this message says.",
            "ru": "Уточнение: ранее отправленное оповещение охватывало слишком широкий район. "
            "Оно действует только там, где указано в этом сообщении.",
        },
        "threat_reduced": {
            "en": "Correction: the threat to your area is less than first reported; stay alert.",
            "ru": "Уточнение: угроза вашему району меньше, чем сообщалось ранее; будьте "
            "внимательны.",
        },
    },
}


def check_template(purpose: str, template: str) -> None:
    """ValueError unless ``template`` is a known template for ``purpose``."""
    if purpose not in TEMPLATES:
        raise ValueError(f"purpose must be one of {', '.join(TEMPLATES)}, not {purpose!r}")
    if template not in TEMPLATES[purpose]:
        known = ", ".join(sorted(TEMPLATES[purpose]))
        raise ValueError(f"'template' must be one of {known} for {purpose}, not {template!r}")


def template_text(template: str, language: str, status: str) -> str:
    """The text of a template in a CAP language, with the drill or test marker if any."""
    lang = text.language_key(language)
    for group in TEMPLATES.values():
        if template in group:
            marker = text.MARKERS.get(status, {}).get(lang)
            words = group[template][lang]
            return f"{marker} {words}" if marker else words
    raise ValueError(f"no template {template!r}")


def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    """Every template by purpose, for the console's pickers."""
    return {p: {k: dict(v) for k, v in group.items()} for p, group in TEMPLATES.items()}
