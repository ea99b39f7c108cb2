/* Tocsin public map: the page's words in Russian and English. */
"use strict";
window.TOCSIN_I18N = {
  ru: {
    title: "Токсин", offline: "нет связи", live: "в эфире",
    drill_banner: "УЧЕНИЯ: это не настоящая тревога",
    search_label: "Найдите свой населённый пункт", legend: "Обозначения",
    warning: "Тревога", advisory: "Предупреждение", cleared: "Отбой (недавно)",
    corridor: "Прогноз пути", timeline: "Последние сообщения", no_alerts: "В этом сеансе сообщений пока нет.",
    state_warning: "ТРЕВОГА: угроза БПЛА", state_advisory: "Предупреждение: возможна угроза БПЛА",
    state_cleared: "Отбой тревоги", state_none: "Сейчас угрозы нет", outside: "Вне зон оповещения",
    shelter_in: "Укройтесь в течение", shelter_now: "УКРОЙТЕСЬ СЕЙЧАС", expected_in: "Угроза ожидается через",
    advice_warning: "Пройдите в укрытие, отойдите от окон.",
    advice_advisory: "Будьте готовы пройти в укрытие.", advice_cleared: "Угроза миновала.",
    drill_prefix: "УЧЕНИЯ. ",
    ev_onset: "начало", ev_update: "уточнение", ev_clear: "отбой", population: "жителей",
  },
  en: {
    title: "Tocsin", offline: "offline", live: "live",
    drill_banner: "EXERCISE: this is not a real alert",
    search_label: "Find your place", legend: "Legend",
    warning: "Warning", advisory: "Advisory", cleared: "Cleared (recently)",
    corridor: "Predicted path", timeline: "Recent alerts", no_alerts: "No alerts in this run yet.",
    state_warning: "WARNING: drone threat", state_advisory: "Advisory: drone threat possible",
    state_cleared: "All clear", state_none: "No threat now", outside: "Outside the alert zones",
    shelter_in: "Take shelter within", shelter_now: "TAKE SHELTER NOW", expected_in: "Threat expected in",
    advice_warning: "Go to a shelter, keep away from windows.",
    advice_advisory: "Be ready to take shelter.", advice_cleared: "The threat has passed.",
    drill_prefix: "EXERCISE. ",
    ev_onset: "onset", ev_update: "update", ev_clear: "clear", population: "people",
  },
};
