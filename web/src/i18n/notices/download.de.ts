/** Download-Aufträge: ihre Ereignisse und warum einer fehlschlug. */
export const messages: Record<string, string> = {
  'notice.DOWNLOAD_SCHEDULED': 'Download von {version} eingeplant von {by}.',
  'notice.DOWNLOAD_CANCELLED': 'Abgebrochen von {by}; heruntergeladene und bereitgestellte Dateien wurden entfernt.',
  'notice.DOWNLOAD_RESUMED_AFTER_RESTART':
    'Patchbay wurde während des Downloads neu gestartet: Er wird an der unterbrochenen Stelle fortgesetzt.',
  'notice.DOWNLOAD_START_MISSED': 'Die Startzeit ist verstrichen, während Patchbay nicht lief: Der Download beginnt jetzt.',
  'notice.DOWNLOAD_STARTED': '{version} wird im Hintergrund heruntergeladen.',
  'notice.DOWNLOAD_VERIFIED': 'Alle Pakete sind heruntergeladen und anhand ihrer signierten Prüfsummen verifiziert.',
  'notice.DOWNLOAD_STAGED': 'Entpackt und geprüft: bereit zur Installation.',
  'notice.DOWNLOAD_RETRY': '{bundle}: Die Verbindung ist fehlgeschlagen ({reason}); Versuch {attempt} wird in {wait} wiederholt.',
  'notice.DOWNLOAD_RESUME': '{bundle}: wird nach {from} fortgesetzt.',
  'notice.DOWNLOAD_RESTART_RANGE_IGNORED':
    '{bundle}: beginnt von vorn, der Server hat die ganze Datei geschickt (er hat den Bereich ignoriert, oder die Datei hat sich geändert).',
  'notice.DOWNLOAD_RESTART_WRONG_RANGE': '{bundle}: beginnt von vorn, der Server hat ab {answered} statt ab {asked} geantwortet.',
  'notice.DOWNLOAD_CLEANUP_FAILED':
    'Die heruntergeladenen Dateien konnten nicht entfernt werden ({reason}): Sie belegen weiter Speicherplatz.',
  'notice.CHECKSUM_MISMATCH': 'Die heruntergeladene Datei passt nicht zu ihrer signierten Prüfsumme: Sie wurde verworfen.',
  'notice.TOO_LARGE': 'Das Paket ist größer als seine signierte Länge: Es wurde verworfen.',
  'notice.NETWORK':
    'Der Download ist wiederholt fehlgeschlagen: Der Feed-Server ist nicht erreichbar oder bricht die Verbindung immer wieder ab.',
  'notice.HTTP_STATUS': 'Der Feed-Server hat das Paket verweigert (HTTP {status}).',
  'notice.CANCELLED': 'Der Download wurde abgebrochen.',
  'notice.DISK_WRITE': 'Das Schreiben des Downloads auf die Festplatte ist fehlgeschlagen ({errno}).',
  'notice.DISK_FULL': 'Die Festplatte ist voll (beim Schreiben von {path}). Geben Sie Speicherplatz frei und versuchen Sie es erneut.',
  'notice.INSUFFICIENT_DISK': 'Nicht genug freier Speicherplatz: {needed} nötig, {free} frei.',
  'notice.UNSAFE_ARCHIVE': 'Das Paket wird abgelehnt: {problems} Probleme gefunden, das erste: {first}.',
  'notice.STAGING_UNREADABLE': 'Die bereitgestellten Dateien können nicht gelesen werden ({path}): Laden Sie die Version erneut herunter.',
  'notice.STAGING_CORRUPT': 'Die bereitgestellten Dateien sind beschädigt ({path}): Laden Sie die Version erneut herunter.',
  'notice.DOWNLOAD_FAILED': 'Der Download ist fehlgeschlagen.',
};
