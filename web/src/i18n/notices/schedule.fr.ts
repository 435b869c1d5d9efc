/** Installations planifiées : planifiée, annulée, une fenêtre ou une heure manquée, un refus à l’heure prévue. */
export const messages: Record<string, string> = {
  'notice.INSTALL_SCHEDULED_NEXT_WINDOW':
    'Installation de {version} planifiée par {user} dans la fenêtre de maintenance du {plannedAt} au {windowEnd}.',
  'notice.INSTALL_SCHEDULED_AT': 'Installation de {version} planifiée par {user} pour le {plannedAt}.',
  'notice.INSTALL_SCHEDULE_CANCELLED': 'L’installation planifiée a été annulée par {user} : la tâche est de nouveau prête.',
  'notice.INSTALL_SCHEDULE_CANCELLED_DOWNLOADING':
    'L’installation planifiée a été annulée par {user} : le téléchargement se poursuit, puis la tâche sera prête.',
  'notice.INSTALL_WINDOW_MISSED':
    'La fenêtre de maintenance du {plannedAt} est passée pendant que Patchbay ne tournait pas (ou elle n’existe plus). Patchbay n’installe pas hors d’une fenêtre : l’installation est planifiée pour la suivante, le {nextAt}.',
  'notice.INSTALL_WINDOW_MISSED_DOWNLOADING':
    'Le téléchargement n’était pas terminé à la fin de la fenêtre de maintenance du {plannedAt} au {windowEnd}. Patchbay n’installe pas hors d’une fenêtre : l’installation est planifiée pour la suivante, le {nextAt}.',
  'notice.INSTALL_WINDOW_MISSED_NO_WINDOW':
    'La fenêtre de maintenance du {plannedAt} est passée et aucune fenêtre n’est plus définie : la tâche est de nouveau prête.',
  'notice.INSTALL_TIME_MISSED':
    'L’heure d’installation {plannedAt} est passée pendant que Patchbay ne tournait pas. Patchbay n’installe pas en retard : la tâche est de nouveau prête et vous attend.',
  'notice.INSTALL_TIME_MISSED_DOWNLOADING':
    'Le téléchargement n’était pas terminé à l’heure d’installation {plannedAt}. Patchbay n’installe pas en retard : la tâche est prête et vous attend.',
  'notice.INSTALL_SCHEDULE_REFUSED': 'L’installation planifiée n’a pas pu commencer ({code}) : la tâche est de nouveau prête.',
  'notice.INSTALL_POSTPONED':
    'Les appels ne se sont pas terminés à temps : l’installation est reportée à la prochaine fenêtre de maintenance, du {plannedAt} au {windowEnd} (report {count} sur {max} au plus).',
  'notice.INSTALL_POSTPONED_NO_WINDOW':
    'Les appels ne se sont pas terminés à temps et aucune fenêtre de maintenance n’est plus définie pour y reporter l’installation : la tâche est de nouveau prête.',
  'notice.INSTALL_PLANNED_AGAIN_AFTER_RESTART':
    'Patchbay s’est arrêté pendant que l’installation prévue le {plannedAt} démarrait ou attendait la fin des appels. Rien n’a été modifié et les appels sont de nouveau acceptés ; l’installation est replanifiée et ne se poursuit que dans sa fenêtre de maintenance (ou dans le délai de grâce de son heure).',
};
