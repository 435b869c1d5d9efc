/** Installations planifiées : planifiée, annulée, une fenêtre ou une heure manquée, un refus à l’heure prévue. */
export const messages: Record<string, string> = {
  'notice.INSTALL_SCHEDULED_NEXT_WINDOW':
    'Installation de {version} planifiée par {user} dans la fenêtre de maintenance du {plannedAt} au {windowEnd}.',
  'notice.INSTALL_SCHEDULED_AT': 'Installation de {version} planifiée par {user} pour le {plannedAt}.',
  'notice.INSTALL_SCHEDULE_CANCELLED': 'L’installation planifiée a été annulée par {user} : la tâche est de nouveau prête.',
  'notice.INSTALL_WINDOW_MISSED':
    'La fenêtre de maintenance du {plannedAt} est passée pendant que Patchbay ne tournait pas (ou elle n’existe plus). Patchbay n’installe pas hors d’une fenêtre : l’installation est planifiée pour la suivante, le {nextAt}.',
  'notice.INSTALL_WINDOW_MISSED_NO_WINDOW':
    'La fenêtre de maintenance du {plannedAt} est passée et aucune fenêtre n’est plus définie : la tâche est de nouveau prête.',
  'notice.INSTALL_TIME_MISSED':
    'L’heure d’installation {plannedAt} est passée pendant que Patchbay ne tournait pas. Patchbay n’installe pas en retard : la tâche est de nouveau prête et vous attend.',
  'notice.INSTALL_SCHEDULE_REFUSED': 'L’installation planifiée n’a pas pu commencer ({code}) : la tâche est de nouveau prête.',
};
