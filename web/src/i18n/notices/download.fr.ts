/** Tâches de téléchargement : leurs événements, et pourquoi l'une a échoué. */
export const messages: Record<string, string> = {
  'notice.DOWNLOAD_SCHEDULED': 'Téléchargement de la {version} planifié par {by}.',
  'notice.DOWNLOAD_CANCELLED': 'Annulé par {by} ; les fichiers téléchargés et préparés ont été supprimés.',
  'notice.DOWNLOAD_RESUMED_AFTER_RESTART': "Patchbay a redémarré pendant le téléchargement : il reprend là où il s'était arrêté.",
  'notice.DOWNLOAD_START_MISSED': "L'heure de début est passée pendant que Patchbay était arrêté : le téléchargement commence maintenant.",
  'notice.DOWNLOAD_STARTED': 'Téléchargement de la {version} en arrière-plan.',
  'notice.DOWNLOAD_VERIFIED': 'Tous les paquets sont téléchargés et vérifiés par rapport à leurs empreintes signées.',
  'notice.DOWNLOAD_STAGED': 'Décompressé et vérifié : prêt à installer.',
  'notice.DOWNLOAD_RETRY': '{bundle} : la connexion a échoué ({reason}) ; nouvelle tentative {attempt} dans {wait}.',
  'notice.DOWNLOAD_RESUME': '{bundle} : reprise après {from}.',
  'notice.DOWNLOAD_RESTART_RANGE_IGNORED':
    '{bundle} : reprise depuis le début, le serveur a envoyé le fichier entier (il a ignoré la plage demandée, ou le fichier a changé).',
  'notice.DOWNLOAD_RESTART_WRONG_RANGE':
    '{bundle} : reprise depuis le début, le serveur a répondu à partir de {answered} au lieu de {asked}.',
  'notice.DOWNLOAD_CLEANUP_FAILED':
    "Les fichiers téléchargés n'ont pas pu être supprimés ({reason}) : ils occupent encore de l'espace disque.",
  'notice.CHECKSUM_MISMATCH': 'Le fichier téléchargé ne correspond pas à son empreinte signée : il a été supprimé.',
  'notice.TOO_LARGE': 'Le paquet dépasse sa longueur signée : il a été supprimé.',
  'notice.NETWORK':
    'Le téléchargement a échoué à plusieurs reprises : le serveur du flux est injoignable ou coupe sans cesse la connexion.',
  'notice.HTTP_STATUS': 'Le serveur du flux a refusé le paquet (HTTP {status}).',
  'notice.CANCELLED': 'Le téléchargement a été annulé.',
  'notice.DISK_WRITE': "L'écriture du téléchargement sur le disque a échoué ({errno}).",
  'notice.DISK_FULL': "Le disque est plein (lors de l'écriture de {path}). Libérez de l'espace et réessayez.",
  'notice.INSUFFICIENT_DISK': "Pas assez d'espace disque libre : {needed} nécessaires, {free} libres.",
  'notice.UNSAFE_ARCHIVE': 'Le paquet est refusé : {problems} problèmes trouvés, le premier : {first}.',
  'notice.STAGING_UNREADABLE': 'Les fichiers préparés sont illisibles ({path}) : téléchargez de nouveau la version.',
  'notice.STAGING_CORRUPT': 'Les fichiers préparés sont endommagés ({path}) : téléchargez de nouveau la version.',
  'notice.DOWNLOAD_FAILED': 'Le téléchargement a échoué.',
};
