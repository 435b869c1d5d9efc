/** Geplante Installationen: eingeplant, abgebrochen, ein verpasstes Wartungsfenster oder eine verpasste Zeit, eine Ablehnung zur geplanten Zeit. */
export const messages: Record<string, string> = {
  'notice.INSTALL_SCHEDULED_NEXT_WINDOW':
    'Installation von {version} von {user} im Wartungsfenster {plannedAt} bis {windowEnd} eingeplant.',
  'notice.INSTALL_SCHEDULED_AT': 'Installation von {version} von {user} für {plannedAt} eingeplant.',
  'notice.INSTALL_SCHEDULE_CANCELLED': 'Die geplante Installation wurde von {user} abgesagt: Der Auftrag ist wieder bereitgestellt.',
  'notice.INSTALL_SCHEDULE_CANCELLED_DOWNLOADING':
    'Die geplante Installation wurde von {user} abgesagt: Der Download läuft weiter, danach ist der Auftrag bereitgestellt.',
  'notice.INSTALL_WINDOW_MISSED':
    'Das Wartungsfenster vom {plannedAt} ist verstrichen, während Patchbay nicht lief (oder es ist nicht mehr eingerichtet). Außerhalb eines Wartungsfensters installiert Patchbay nicht: Die Installation ist für das nächste Fenster um {nextAt} eingeplant.',
  'notice.INSTALL_WINDOW_MISSED_DOWNLOADING':
    'Der Download war bis zum Ende des Wartungsfensters {plannedAt} bis {windowEnd} nicht abgeschlossen. Außerhalb eines Wartungsfensters installiert Patchbay nicht: Die Installation ist für das nächste Fenster um {nextAt} eingeplant.',
  'notice.INSTALL_WINDOW_MISSED_NO_WINDOW':
    'Das Wartungsfenster vom {plannedAt} ist verstrichen, und es ist kein Wartungsfenster mehr eingerichtet: Der Auftrag ist wieder bereitgestellt.',
  'notice.INSTALL_TIME_MISSED':
    'Der Installationszeitpunkt {plannedAt} ist verstrichen, während Patchbay nicht lief. Verspätet installiert Patchbay nicht: Der Auftrag ist wieder bereitgestellt und wartet auf Sie.',
  'notice.INSTALL_TIME_MISSED_DOWNLOADING':
    'Der Download war zum Installationszeitpunkt {plannedAt} nicht abgeschlossen. Verspätet installiert Patchbay nicht: Der Auftrag ist bereitgestellt und wartet auf Sie.',
  'notice.INSTALL_SCHEDULE_REFUSED': 'Die geplante Installation konnte nicht beginnen ({code}): Der Auftrag ist wieder bereitgestellt.',
  'notice.INSTALL_POSTPONED':
    'Die Gespräche endeten nicht rechtzeitig: Die Installation ist auf das nächste Wartungsfenster verschoben, {plannedAt} bis {windowEnd} ({count}. von höchstens {max} Verschiebungen).',
  'notice.INSTALL_POSTPONED_NO_WINDOW':
    'Die Gespräche endeten nicht rechtzeitig, und es ist kein Wartungsfenster mehr eingerichtet, auf das die Installation verschoben werden könnte: Der Auftrag ist wieder bereitgestellt.',
  'notice.INSTALL_PLANNED_AGAIN_AFTER_RESTART':
    'Patchbay wurde beendet, während die für {plannedAt} geplante Installation begann oder auf das Ende der Gespräche wartete. Es wurde nichts verändert, Anrufe werden wieder angenommen; die Installation ist erneut eingeplant und läuft nur innerhalb ihres Wartungsfensters (oder ihrer Kulanzzeit).',
};
