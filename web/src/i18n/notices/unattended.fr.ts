/** Ce que l’installation automatique a fait après la dernière recherche de mises à jour, en français. */
export const messages: Record<string, string> = {
  'notice.UNATTENDED_DOWNLOAD_STARTED':
    'Téléchargement de {version} en cours (en route vers {toward}) ; elle sera installée dans la prochaine fenêtre de maintenance.',
  'notice.UNATTENDED_INSTALL_PLANNED': '{version} est téléchargée et prévue pour la fenêtre de maintenance de {plannedAt}.',
  'notice.UNATTENDED_NOTHING_NEWER': 'Aucune version plus récente du type choisi : rien à faire.',
  'notice.UNATTENDED_BLOCKED': '{version} ne peut pas être installée pour l’instant ({blockers}) : rien n’a été téléchargé.',
  'notice.UNATTENDED_NEEDS_ACKNOWLEDGEMENT':
    '{version} comporte des avertissements de modules à confirmer ({modules}) : elle vous attend et ne sera pas installée automatiquement.',
  'notice.UNATTENDED_JOB_ACTIVE': 'Une tâche pour {version} est déjà en cours : rien de nouveau n’a été lancé.',
  'notice.UNATTENDED_NO_WINDOW': 'Aucune fenêtre de maintenance n’est définie : rien n’a été téléchargé ni planifié.',
  'notice.UNATTENDED_REFUSED': '{version} n’a pas été lancée ({code}).',
  'notice.UNATTENDED_DOWNLOAD_ENDED': 'Le téléchargement de {version} n’a pas abouti : rien n’a été planifié.',
};
