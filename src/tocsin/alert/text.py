"""The public wording of CAP messages, in every supported language (spec §7).

Texts are keyed by language (its primary subtag: ``ru``, ``en``), by level
(``warning``, ``advisory``) and by kind (``alert`` for an onset or update,
``clear``, ``cancel``), and marked by status: an ``Exercise`` text begins with
the drill marker, a ``Test`` text with the system-test marker, an ``Actual``
text with neither. No text names a region: places come from the zones.

>>> info_text("en-US", level="warning", kind="alert", status="Exercise", eta_s=305.0).headline
'EXERCISE — THIS IS A DRILL. Drone attack: take shelter now'
>>> info_text("ru-RU", level="warning", kind="alert", status="Actual", eta_s=61.0).description
'К вашему району приближаются ударные беспилотники. Ожидаемое время подлёта — около 1 минуты.'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

STATUSES = ("Actual", "Exercise", "Test")
KINDS = ("alert", "clear", "cancel")

# The first words of every headline, description and instruction of a drill
# (Hawaii 2018: a drill must never read as real), and of a system test.
MARKERS: dict[str, dict[str, str]] = {
    "Exercise": {"en": "EXERCISE — THIS IS A DRILL.", "ru": "УЧЕНИЯ — ЭТО ТРЕНИРОВКА."},
    "Test": {
        "en": "TEST — THIS IS A SYSTEM TEST. NO ACTION IS NEEDED.",
        "ru": "ТЕСТ — ЭТО ПРОВЕРКА СИСТЕМЫ. НИКАКИХ ДЕЙСТВИЙ НЕ ТРЕБУЕТСЯ.",
    },
}
# Appended to the event name of a drill or test, so that even a receiver that
# shows only <event> and <areaDesc> cannot present it as real.
_EVENT_SUFFIX = {
    "Exercise": {"en": " (exercise)", "ru": " (учения)"},
    "Test": {"en": " (system test)", "ru": " (проверка системы)"},
}
# Explanations for the alert-level <note>, after the markers.
_NOTE = {
    "Exercise": {
        "en": "A drill or simulation: no real attack is under way.",
        "ru": "Учения или моделирование: реальной атаки нет.",
    },
    "Test": {
        "en": "A technical test of the warning system: no threat exists.",
        "ru": "Техническая проверка системы оповещения: угрозы нет.",
    },
}

EVENTS: dict[str, dict[str, str]] = {
    "drone": {"en": "Drone attack", "ru": "Атака беспилотников"},
}
SENDER_NAMES = {"en": "Tocsin early warning", "ru": "Система раннего оповещения Tocsin"}

# Descriptions of a warning or advisory have three forms: the threat is there
# ("now"), arrives in a known time ("eta", with {eta} filled in), or when is
# not known ("unknown").
_TEXTS: dict[str, dict[tuple[str, str], dict]] = {
    "en": {
        ("warning", "alert"): {
            "headline": "Drone attack: take shelter now",
            "description": {
                "now": "Attack drones are over your area now.",
                "eta": "Attack drones are approaching your area. Estimated arrival in {eta}.",
                "unknown": "Attack drones are approaching your area.",
            },
            "instruction": "Take shelter now: go to the nearest shelter or an inner room, "
            "away from windows. Stay in shelter until the all-clear.",
        },
        ("advisory", "alert"): {
            "headline": "Drone threat: be ready to take shelter",
            "description": {
                "now": "Drones may already be near your area.",
                "eta": "Drones are expected in your area in the coming minutes. "
                "Estimated arrival in {eta}.",
                "unknown": "Drones are expected in your area in the coming minutes.",
            },
            "instruction": "Prepare to shelter: find out where your nearest shelter is and "
            "go there at once if a warning to take shelter is given.",
        },
        ("warning", "clear"): {
            "headline": "All clear: the drone threat has passed",
            "description": "The drone threat to your area has passed.",
            "instruction": "You may leave shelter. Do not approach or touch drone debris; "
            "report it to the emergency services.",
        },
        ("advisory", "clear"): {
            "headline": "Drone threat advisory lifted",
            "description": "The advance warning of drones for your area has ended.",
            "instruction": "If a warning to take shelter is in force for your area, "
            "stay in shelter until the all-clear.",
        },
        ("warning", "cancel"): {
            "headline": "Cancelled: drone attack warning issued in error",
            "description": "The earlier drone attack warning for your area was issued in "
            "error and is withdrawn.",
            "instruction": "You may leave shelter unless another warning is in force.",
        },
        ("advisory", "cancel"): {
            "headline": "Cancelled: drone threat advisory issued in error",
            "description": "The earlier drone threat advisory for your area was issued in "
            "error and is withdrawn.",
            "instruction": "No action is needed.",
        },
    },
    "ru": {
        ("warning", "alert"): {
            "headline": "Атака беспилотников: немедленно пройдите в укрытие",
            "description": {
                "now": "Ударные беспилотники уже над вашим районом.",
                "eta": "К вашему району приближаются ударные беспилотники. "
                "Ожидаемое время подлёта — {eta}.",
                "unknown": "К вашему району приближаются ударные беспилотники.",
            },
            "instruction": "Немедленно укройтесь: пройдите в ближайшее укрытие или во "
            "внутреннее помещение, подальше от окон. Оставайтесь в укрытии до отбоя тревоги.",
        },
        ("advisory", "alert"): {
            "headline": "Угроза атаки беспилотников: будьте готовы пройти в укрытие",
            "description": {
                "now": "Беспилотники, возможно, уже вблизи вашего района.",
                "eta": "В ближайшие минуты в вашем районе ожидается появление "
                "беспилотников. Ожидаемое время подлёта — {eta}.",
                "unknown": "В ближайшие минуты в вашем районе ожидается появление беспилотников.",
            },
            "instruction": "Приготовьтесь укрыться: заранее узнайте, где находится ближайшее "
            "укрытие, и сразу пройдите в него, если будет объявлена тревога.",
        },
        ("warning", "clear"): {
            "headline": "Отбой тревоги: угроза атаки беспилотников миновала",
            "description": "Угроза атаки беспилотников для вашего района миновала.",
            "instruction": "Можно покинуть укрытие. Не приближайтесь к обломкам беспилотников "
            "и не трогайте их; сообщите о них в экстренные службы.",
        },
        ("advisory", "clear"): {
            "headline": "Предупреждение об угрозе беспилотников снято",
            "description": "Предварительное предупреждение о беспилотниках для вашего района "
            "больше не действует.",
            "instruction": "Если в вашем районе объявлена тревога, оставайтесь в укрытии "
            "до её отбоя.",
        },
        ("warning", "cancel"): {
            "headline": "Отмена: тревога об атаке беспилотников объявлена ошибочно",
            "description": "Тревога об атаке беспилотников, ранее объявленная для вашего "
            "района, ошибочна и отменена.",
            "instruction": "Можно покинуть укрытие, если не объявлена другая тревога.",
        },
        ("advisory", "cancel"): {
            "headline": "Отмена: предупреждение об угрозе беспилотников выпущено ошибочно",
            "description": "Предупреждение об угрозе беспилотников, ранее выпущенное для "
            "вашего района, ошибочно и отменено.",
            "instruction": "Никаких действий не требуется.",
        },
    },
}
LANGUAGES = tuple(_TEXTS)


@dataclass(frozen=True, slots=True, kw_only=True)
class InfoText:
    """The human-readable fields of one CAP ``<info>`` block."""

    event: str
    sender_name: str
    headline: str
    description: str
    instruction: str


def language_key(language: str) -> str:
    """The text key of a language tag (``ru-RU`` → ``ru``); ValueError if unsupported."""
    key = language.split("-", 1)[0].lower() if isinstance(language, str) else ""
    if key not in _TEXTS:
        raise ValueError(f"no texts for language {language!r}; supported: {', '.join(LANGUAGES)}")
    return key


def eta_phrase(language: str, eta_s: float) -> str:
    """Time to arrival as a phrase, rounded down to whole minutes (sooner is safer).

    >>> eta_phrase("en", 305.0), eta_phrase("ru", 305.0), eta_phrase("ru", 1290.0)
    ('about 5 minutes', 'около 5 минут', 'около 21 минуты')
    >>> eta_phrase("en", 59.0), eta_phrase("ru", 59.0)
    ('less than a minute', 'менее минуты')
    """
    minutes = math.floor(eta_s / 60.0)
    if language_key(language) == "ru":
        if minutes < 1:
            return "менее минуты"
        word = "минуты" if minutes % 10 == 1 and minutes % 100 != 11 else "минут"
        return f"около {minutes} {word}"
    if minutes < 1:
        return "less than a minute"
    return f"about {minutes} minute{'' if minutes == 1 else 's'}"


def info_text(
    language: str,
    *,
    level: str,
    kind: str,
    status: str,
    eta_s: float | None = None,
    event_code: str = "drone",
) -> InfoText:
    """The texts of one ``<info>``: ``kind`` is ``alert``, ``clear`` or ``cancel``."""
    lang = language_key(language)
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    if event_code not in EVENTS:
        raise ValueError(f"no texts for event {event_code!r}; known: {', '.join(EVENTS)}")
    try:
        t = _TEXTS[lang][(level, kind)]
    except KeyError:
        raise ValueError(f"no texts for level {level!r} and kind {kind!r}") from None
    description = t["description"]
    if isinstance(description, dict):
        if eta_s is None:
            description = description["unknown"]
        elif eta_s <= 0:
            description = description["now"]
        else:
            description = description["eta"].format(eta=eta_phrase(lang, eta_s))
    marker = MARKERS.get(status, {}).get(lang)
    event = EVENTS[event_code][lang] + _EVENT_SUFFIX.get(status, {}).get(lang, "")
    return InfoText(
        event=event,
        sender_name=SENDER_NAMES[lang],
        headline=_marked(marker, t["headline"]),
        description=_marked(marker, description),
        instruction=_marked(marker, t["instruction"]),
    )


def note_text(languages: tuple[str, ...], status: str) -> str | None:
    """The alert-level ``<note>`` of a drill or test, in every language; None if Actual."""
    if status not in MARKERS:
        return None
    keys = dict.fromkeys(language_key(lang) for lang in languages)
    return " / ".join(f"{MARKERS[status][k]} {_NOTE[status][k]}" for k in keys)


def _marked(marker: str | None, text: str) -> str:
    return f"{marker} {text}" if marker else text
